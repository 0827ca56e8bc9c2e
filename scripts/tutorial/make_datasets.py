# Writes two archives shaped like the MedMNIST 3D adrenal and fracture sets into datasets/
# (same array names and training/validation/test sizes; a bright blob in a noisy volume, so
# they compress like scans). Used by scripts/demo.sh and the tests; --download in the demo
# fetches the real ones.
import numpy as np
rng = np.random.default_rng(2021)
def images(n):
    # a bright blob in a noisy volume: compresses like a scan, not like random bytes
    z, y, x = np.mgrid[0:28, 0:28, 0:28]
    centre = rng.uniform(9, 19, size=(n, 3, 1, 1, 1))
    d2 = (z - centre[:, 0]) ** 2 + (y - centre[:, 1]) ** 2 + (x - centre[:, 2]) ** 2
    blob = (d2 < rng.uniform(16, 64, size=(n, 1, 1, 1))).astype(np.uint8) * 160
    return blob + rng.integers(0, 4, size=(n, 28, 28, 28), dtype=np.uint8) * 8
def labels(n):
    return rng.integers(0, 2, size=(n, 1), dtype=np.uint8)
def archive(name, train, val, test):
    np.savez_compressed("datasets/" + name, train_images=images(train), train_labels=labels(train),
                        val_images=images(val), val_labels=labels(val),
                        test_images=images(test), test_labels=labels(test))
archive("adrenalmnist3d.npz", 1188, 98, 298)
archive("fracturemnist3d.npz", 1027, 103, 240)
