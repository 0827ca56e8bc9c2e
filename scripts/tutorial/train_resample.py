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
