import glob
import numpy as np
for dataset_filename in glob.glob("datasets/*"):
    dataset=np.load(dataset_filename)
    print(dataset_filename,dataset["train_images"].shape)
