package verso.cli;

/**
 * The DVC tutorial's material (shared/reference/000_…) for the tests that replay it: its two
 * scripts, verbatim, and a generator of two MedMNIST-shaped .npz archives.
 */
final class TutorialScripts {
    /** Training-set shapes of the generated archives, then after {@link #TRAIN_RESAMPLE}. */
    static final int ADRENAL_TRAIN = 1188;
    static final int FRACTURE_TRAIN = 1027;
    static final int RESAMPLED_TRAIN = 100;

    private TutorialScripts() {
    }

    static final String TRAIN_SHAPE = """
            import glob
            import numpy as np
            for dataset_filename in glob.glob("datasets/*"):
                dataset=np.load(dataset_filename)
                print(dataset_filename,dataset["train_images"].shape)
            """;

    static final String TRAIN_RESAMPLE = """
            import glob
            import numpy as np
            for dataset_filename in glob.glob("datasets/*"):
                dataset=np.load(dataset_filename)
                perm=np.random.permutation(len(dataset["train_images"]))[:100]
                np.savez_compressed(dataset_filename,
                    train_images=dataset["train_images"][perm],
                    train_labels=dataset["train_labels"][perm],
                    val_images=dataset["val_images"],
                    val_labels=dataset["val_labels"],
                    test_images=dataset["test_images"],
                    test_labels=dataset["test_labels"]
                )
            """;

    /** Archives shaped like MedMNIST 3D (sizes of adrenal and fracture), low-entropy so they stay a few MB. */
    static final String GENERATE = """
            import numpy as np
            rng = np.random.default_rng(7)
            def archive(name, train, val, test):
                def images(n): return (rng.random((n, 28, 28, 28)) < 0.02).astype(np.uint8) * 255
                def labels(n): return rng.integers(0, 2, size=(n, 1), dtype=np.uint8)
                np.savez_compressed("datasets/" + name, train_images=images(train), train_labels=labels(train),
                    val_images=images(val), val_labels=labels(val), test_images=images(test), test_labels=labels(test))
            archive("adrenalmnist3d.npz", 1188, 98, 298)
            archive("fracturemnist3d.npz", 1027, 103, 240)
            """;
}
