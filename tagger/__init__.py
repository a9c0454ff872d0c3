"""Metal & Hardcore Tagger: tell Metal from Hardcore with the paper's CNN-BiGRU."""

__version__ = "0.1.0"
