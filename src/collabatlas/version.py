"""The package's version, in a module of its own at the lowest layer: the package's front door, the
facade (:mod:`collabatlas.atlas`) and the OpenAlex client read it from here, so none of them imports the
package ``__init__`` (which imports the facade) and no import circle forms."""

__version__ = "0.1.0"
