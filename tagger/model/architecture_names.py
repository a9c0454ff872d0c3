"""The names `--arch` accepts, without torch: the command line lists and checks them before any
network is built (each name's network and sizes: model/architectures/)."""

PAPER_ARCHITECTURES = ("cnn-bigru", "cnn-lstm", "lstm")
RELATED_ARCHITECTURES = ("chen-cnn", "chen-cnn-bigru", "mfcc-crnn", "resnet18-bigru")
ARCHITECTURES = PAPER_ARCHITECTURES + RELATED_ARCHITECTURES
