"""The network, its model files (safetensors + JSON metadata) and the predictor. No database."""
