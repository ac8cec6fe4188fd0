"""watext: text mining of municipal documents on Willkommens- und Anerkennungskultur."""

__version__ = "0.1.0"
