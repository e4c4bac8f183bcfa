/// Why a material refuses its parameters or a deformation.
///
/// Every case names the parameter (by the name a model file uses, e.g. `E`,
/// `nu12`), its value and what was expected.
public enum MaterialError: Error, Equatable, CustomStringConvertible {
    /// A parameter is outside its admissible range.
    case invalidParameter(name: String, value: Double, expected: String)
    /// The orthotropic compliance matrix is not positive definite; `detail`
    /// states the failing condition with the values.
    case notPositiveDefinite(detail: String)
    /// The deformation gradient has `J = det F ≤ 0` (an inverted material point).
    case nonPositiveJacobian(J: Double)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, expected):
            return "\(name): expected \(expected), got \(value)"
        case let .notPositiveDefinite(detail):
            return "orthotropic elasticity is not positive definite: \(detail)"
        case let .nonPositiveJacobian(j):
            return "deformation gradient has det F = \(j): expected a positive volume ratio (inverted element?)"
        }
    }
}

/// A solid's stress response, used by the element kernels of ``SolidMechanics``.
///
/// Two views of the same law: the small-strain stiffness (the tangent at the
/// reference configuration, used by linear analysis), and the total-Lagrangian
/// response — second Piola–Kirchhoff stress and material tangent `∂S/∂E` as
/// functions of the deformation gradient — used by finite-strain analysis.
/// A linear law used at finite strain is the Saint Venant–Kirchhoff model
/// `S = D : E` (Green–Lagrange `E`).
public protocol SolidMaterial: Sendable {
    /// True when stress is linear in small strain, so a linear analysis is exact
    /// and Newton's tangent never changes.
    var isLinear: Bool { get }
    /// The small-strain elasticity matrix (MPa) in global axes, for a material
    /// whose axes at this point are the columns of `axes` (a rotation).
    func smallStrainStiffness(axes: Tensor3) -> VoigtMatrix
    /// The second Piola–Kirchhoff stress (MPa) and the material tangent
    /// `∂S/∂E` (MPa, engineering Voigt) for deformation gradient `F`, in global axes.
    /// - Throws: ``MaterialError/nonPositiveJacobian(J:)`` when `det F ≤ 0`.
    func secondPiolaKirchhoff(deformationGradient f: Tensor3, axes: Tensor3) throws -> (stress: SymmetricTensor, tangent: VoigtMatrix)
}

extension SolidMaterial {
    /// Saint Venant–Kirchhoff response built from ``smallStrainStiffness(axes:)``.
    @inlinable
    public func stVenantKirchhoff(deformationGradient f: Tensor3, axes: Tensor3) throws -> (stress: SymmetricTensor, tangent: VoigtMatrix) {
        let j = f.determinant
        guard j > 0 else { throw MaterialError.nonPositiveJacobian(J: j) }
        let d = smallStrainStiffness(axes: axes)
        let e = 0.5 * (f.rightCauchyGreen - .identity)
        return (d.apply(engineering: e.engineeringVoigt), d)
    }
}
