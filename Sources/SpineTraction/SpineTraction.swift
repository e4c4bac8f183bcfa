// The umbrella module: `import SpineTraction` gives a researcher every public layer.
@_exported import SparseLinearAlgebra
@_exported import FiniteElements
@_exported import TractionSafety
@_exported import Biomechanics
@_exported import SpineModel
