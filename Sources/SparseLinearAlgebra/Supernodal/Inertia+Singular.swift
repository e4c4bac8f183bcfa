extension Inertia {
    /// True when a pivot is numerically zero (``zero`` > 0): the matrix is singular to the
    /// factorization's pivot tolerance.
    public var isSingular: Bool { zero > 0 }
}

extension SolverReport {
    /// True when the last factorization found a numerically zero pivot (a perturbed pivot of
    /// ``SupernodalLDLT`` counts as zero in ``inertia``): solutions then depend on the
    /// perturbation, and a static problem with such a matrix has an unconstrained mode.
    public var singular: Bool { inertia?.isSingular ?? false }
}
