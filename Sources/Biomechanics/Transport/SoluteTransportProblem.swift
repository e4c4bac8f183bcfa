import Foundation
import FiniteElements
import SparseLinearAlgebra

/// Options of the transport discretisation.
public struct TransportOptions: Sendable, Equatable {
    /// Lump the capacity (mass) and reaction terms on the nodes (row sums; linear
    /// cells only — quadratic cells always use the consistent form). Lumping keeps
    /// a consumed solute from undershooting below zero next to steep fronts.
    public var lumped = true
    /// Streamline-upwind/Petrov–Galerkin stabilisation of convection (Brooks &
    /// Hughes 1982) with the optimal `τ = h/(2|w|)·(coth Pe − 1/Pe)`, `h` the element length
    /// along the flow. The strong residual omits `−∇·(D∇c)` (zero on linear cells; an
    /// approximation on quadratic ones).
    public var supg = true
    /// Quadrature degree (nil: the cell type's default).
    public var quadratureDegree: Int? = nil
    /// Newton: converged when the largest update is below `relativeTolerance × max|c|` (mM).
    public var relativeTolerance = 1e-12
    /// Newton: maximum iterations per solve.
    public var maxIterations = 40
    /// Assembly threads (default: the active processor count; 1 = serial). Results do not
    /// depend on it beyond round-off in the order of summation.
    public var threads: Int? = nil
    /// Default options.
    public init() {}
}

/// Wall time (s) and counts of the transport solver's phases (``SoluteTransportProblem/profile``).
public struct TransportProfile: Sendable, Equatable {
    /// Cell and face assembly with the tangent (s) and their number.
    public var matrixAssembly = 0.0, matrixAssemblies = 0
    /// Residual-only assembly (line search, final outputs) (s) and their number.
    public var residualAssembly = 0.0, residualAssemblies = 0
    /// Sparse LU factorizations (s) and their number.
    public var factorization = 0.0, factorizations = 0
    /// Analysis (ordering and symbolic factorization) of the sparse LU, once per problem (s).
    public var analysis = 0.0
    /// Triangular solves (s).
    public var solve = 0.0
    /// Newton iterations.
    public var newtonIterations = 0
    /// Equations of the system; `bandwidth` is always 0 (the sparse LU has no band; see ``factorNonzeros``).
    public var equations = 0, bandwidth = 0
    /// Stored entries of the sparse LU factors `L` and `U`.
    public var factorNonzeros = 0
    /// Pivots perturbed by the sparse LU in the last factorization (see `SparseLU`).
    public var perturbedPivots = 0
    /// An empty profile.
    public init() {}
}

/// Advection–diffusion–reaction of any number of solutes on their regions of a
/// mesh: `∂(κc)/∂t + ∇·(w c) − ∇·(D∇c) + Q(c) = 0`, with `c` (mM), capacity `κ`,
/// Darcy flux `w` (mm/s), effective diffusivity tensor `D` (mm²/s) and net
/// consumption `Q` (mM/s) from the region's ``SoluteReaction``.
///
/// Discretisation: Galerkin finite elements on the mesh's cells (one scalar field
/// per solute through `FiniteElements.DofMap`), SUPG on the convective term,
/// backward Euler in time, Newton on the coupled nonlinear reactions (tangent of
/// the reactions by finite differences), Dirichlet values eliminated, the
/// nonsymmetric tangent assembled into the general CSR pattern of a
/// `FiniteElements.Assembler` and solved by `SparseLinearAlgebra.SparseLU` (one
/// symbolic analysis per problem, one numeric factorization per Newton iteration). The convective term is in
/// conservative form (integrated by parts, `−∫∇N·w c dV + ∮ N c w·n dA` over the
/// domain's boundary), so the natural condition is on the diffusive flux only (fluid
/// leaving carries its solute out) and the discrete balance holds for any flux field,
/// even one that is discontinuous between cells (a Darcy flux from a pressure gradient).
///
/// Conservation: with `Σ_a N_a = 1` and `Σ_a ∇N_a = 0` the discrete equations sum to
/// the global balance (SUPG terms sum to zero), so the consistent nodal residuals at
/// Dirichlet nodes are the diffusive inflow there and `content(tⁿ⁺¹) − content(tⁿ) = Δt·(inflow − consumption)`
/// holds to the Newton tolerance (``boundaryInflow(solute:surface:)``, ``content(solute:region:)``,
/// ``consumptionRate(solute:region:)``).
///
/// Units: mm, s; concentrations mM (mmol/L = mol/m³; mM·mm³ = 1 nmol = 1e-6 mmol).
public final class SoluteTransportProblem {
    /// The mesh (mm).
    public let mesh: Mesh
    /// The solutes, in field order.
    public let solutes: [Solute]
    /// One scalar field per solute on its regions.
    public let dofMap: DofMap
    /// Reactions by region.
    public let reactions: [(region: String, reaction: any SoluteReaction)]
    /// Boundary conditions.
    public let boundaryConditions: [SoluteBoundaryCondition]
    /// Discretisation options.
    public let options: TransportOptions
    /// The mechanical state of the current step (set before ``step(_:)`` for staggered coupling;
    /// set the state of the run's start with ``startTissue(_:)`` so the old-step porosity matches it).
    public var tissue = TissueState()

    /// Sets the tissue state at the start of a run and takes its porosity as the old-step
    /// porosity of the next ``step(_:)`` — without this, a porosity capacity would see the
    /// porosity of the state the problem was built with in its first step, and solute would
    /// appear or vanish (a steady solve, ``setConcentration(solute:_:)`` and every step reset it too).
    public func startTissue(_ state: TissueState) {
        tissue = state
        previousPorosity = currentPorosities()
    }
    /// Nodal concentrations (mM), a full dof vector of ``dofMap``.
    public private(set) var concentrations: [Double]
    /// Current time (s).
    public private(set) var time: Double = 0
    /// Realised open area fraction of each `.exchange` condition, in the order given.
    public private(set) var openAreaFractions: [Double] = []
    /// Newton iterations of the last solve.
    public private(set) var lastIterations = 0
    /// Where the solver's time went since construction (or the last ``resetProfile()``).
    public private(set) var profile = TransportProfile()
    /// Zeroes ``profile``.
    public func resetProfile() { profile = TransportProfile() }

    // Per solute, per cell: material index into solutes[s].materials (−1 = absent).
    private let cellMaterial: [[Int]]
    // Per cell: reaction index (−1 = none) and the field index of each reaction lane.
    private let cellReaction: [Int]
    private let reactionFields: [[Int]]
    // Dirichlet: constrained flag, value (before curves), curve index.
    private var constrained: [Bool]
    private var prescribedBase: [Double]
    private var prescribedCurve: [LoadCurve?]
    private let numbering: EquationNumbering
    private var matrix: CSRMatrix
    private let solver: SparseLU
    // The shared FE assembler (general CSR structure) that runs the cell kernels on its threads.
    private let assembler: Assembler
    // Residual of the free equations (the assembler's right-hand side).
    private var equationResidual: [Double]
    // Cells with at least one constrained dof (their residuals give the boundary fluxes).
    private let constrainedCells: [Int]
    private let scratchPool = ScratchPool()
    // The shared Newton (holds the sparse LU: one symbolic analysis per problem).
    private let newtonSolver: GeneralNewtonSolver
    // Per cell c: local pair (a, b) at cellScatterOffsets[c] + a·n + b is the index into
    // matrix.values of (equation of a, equation of b); −1 when either dof is constrained.
    private let cellScatter: [Int32]
    private let cellScatterOffsets: [Int]
    private var residual: [Double]            // full dof residual of the last evaluation
    private var previousPorosity: [Double]    // per cell φⁿ (for porosity capacities)
    private var previousConcentrations: [Double]
    private let fluxFaces: [(field: Int, face: FaceRef, inflow: Double)]
    // Per field: faces carrying a prescribed concentration, and per constrained dof the sum of
    // ∫N dA over those faces (to share a node's residual between the surfaces that meet at it).
    private let dirichletFaces: [Set<FaceRef>]
    private let dirichletWeight: [Int: Double]
    private let cellVolumes: [Double]

    /// Builds the fields, the pattern and the conditions.
    /// - Throws: ``TransportError`` naming the bad field (unknown region or surface, a
    ///   surface outside the solute's regions, unit other than mM, bad parameters).
    public init(mesh: Mesh, solutes: [Solute], reactions: [(region: String, reaction: any SoluteReaction)] = [],
                boundaryConditions: [SoluteBoundaryCondition] = [], options: TransportOptions = TransportOptions()) throws {
        self.mesh = mesh
        self.solutes = solutes
        self.reactions = reactions
        self.boundaryConditions = boundaryConditions
        self.options = options
        let regionNames = Array(mesh.regions.keys)
        var seen = Set<String>()
        for (i, s) in solutes.enumerated() {
            guard !s.name.isEmpty, seen.insert(s.name).inserted else {
                throw TransportError.invalidParameter(field: "solutes[\(i)].name", value: "\"\(s.name)\"", expected: "a unique non-empty name")
            }
            guard s.unit == "mM" else { throw TransportError.unsupportedUnit(field: "solutes.\(s.name).unit", value: s.unit) }
            guard !s.materials.isEmpty else {
                throw TransportError.invalidParameter(field: "solutes.\(s.name).materials", value: "[]", expected: "at least one region")
            }
            try requireNonNegative(s.initialConcentration, "solutes.\(s.name).initial", unit: "mM")
            for (region, m) in s.materials {
                guard mesh.regions[region] != nil else { throw TransportError.unknownName(field: "solutes.\(s.name).materials", name: region, known: regionNames) }
                try m.validate(field: "solutes.\(s.name).materials.\(region)")
            }
        }
        let nc = mesh.cellCount
        var cellMat = [[Int]]()
        for s in solutes {
            var m = [Int](repeating: -1, count: nc)
            for (k, entry) in s.materials.enumerated().reversed() {
                for c in try mesh.cells(inRegion: entry.region) { m[c] = k }
            }
            cellMat.append(m)
        }
        cellMaterial = cellMat
        dofMap = try DofMap(mesh: mesh, fields: solutes.map { FieldSpec(name: $0.name, components: 1, interpolation: .mesh, regions: $0.regions) })

        // Reactions.
        var cr = [Int](repeating: -1, count: nc)
        var rf = [[Int]]()
        for (k, entry) in reactions.enumerated().reversed() {
            guard mesh.regions[entry.region] != nil else { throw TransportError.unknownName(field: "reactions[\(k)].region", name: entry.region, known: regionNames) }
            try entry.reaction.validate(field: "reactions.\(entry.region)")
            guard (1...4).contains(entry.reaction.species.count) else {
                throw TransportError.invalidParameter(field: "reactions.\(entry.region).species", value: "\(entry.reaction.species)", expected: "1 to 4 solutes")
            }
            for c in try mesh.cells(inRegion: entry.region) { cr[c] = k }
        }
        for entry in reactions {
            var fields = [Int]()
            for name in entry.reaction.species {
                guard let f = solutes.firstIndex(where: { $0.name == name }) else {
                    throw TransportError.unknownName(field: "reactions.\(entry.region).species", name: name, known: solutes.map(\.name))
                }
                fields.append(f)
            }
            rf.append(fields)
        }
        for c in 0..<nc where cr[c] >= 0 {
            for f in rf[cr[c]] where cellMat[f][c] < 0 {
                throw TransportError.reactionSpeciesMissing(region: reactions[cr[c]].region, solute: solutes[f].name)
            }
        }
        cellReaction = cr
        reactionFields = rf

        // Boundary conditions.
        let n = dofMap.dofCount
        var isC = [Bool](repeating: false, count: n)
        var base = [Double](repeating: 0, count: n)
        var curves = [LoadCurve?](repeating: nil, count: n)
        var fluxes: [(Int, FaceRef, Double)] = []
        var dFaces = [Set<FaceRef>](repeating: [], count: solutes.count)
        var fractions: [Double] = []
        let surfaceNames = Array(mesh.surfaces.keys)
        for (i, bc) in boundaryConditions.enumerated() {
            let field = "boundary[\(i)]"
            guard let f = solutes.firstIndex(where: { $0.name == bc.solute }) else {
                throw TransportError.unknownName(field: "\(field).solute", name: bc.solute, known: solutes.map(\.name))
            }
            guard mesh.surfaces[bc.surface] != nil else { throw TransportError.unknownName(field: "\(field).surface", name: bc.surface, known: surfaceNames) }
            let faces = try mesh.faces(ofSurface: bc.surface).filter { cellMat[f][$0.cell] >= 0 }
            guard !faces.isEmpty else { throw TransportError.surfaceOutsideSoluteRegions(field: "\(field).surface", surface: bc.surface, solute: bc.solute) }
            switch bc {
            case let .concentration(_, _, value, curve):
                try requireNonNegative(value, "\(field).value", unit: "mM")
                for face in faces {
                    dFaces[f].insert(face)
                    let k = solutes[f].materials[cellMat[f][face.cell]].material.partition
                    for node in mesh.faceNodes(face) {
                        guard let d = dofMap.dof(field: f, node: node, component: 0) else { continue }
                        isC[d] = true; base[d] = k * value; curves[d] = curve
                    }
                }
            case let .flux(_, _, inflow):
                guard inflow.isFinite else { throw TransportError.invalidParameter(field: "\(field).inflow", value: "\(inflow)", expected: "a finite flux in mM·mm/s") }
                for face in faces { fluxes.append((f, face, inflow)) }
            case let .exchange(_, _, value, fraction, centreGiven):
                try requireNonNegative(value, "\(field).value", unit: "mM")
                guard fraction.isFinite, fraction >= 0, fraction <= 1 else {
                    throw TransportError.invalidParameter(field: "\(field).openFraction", value: "\(fraction)", expected: "a fraction in [0, 1]")
                }
                // Faces by distance of their centroid from the surface's area centroid; open the
                // central ones until their area reaches the fraction (nearest realisable).
                var normal = SIMD3<Double>.zero
                let info = try faces.map { face -> (FaceRef, SIMD3<Double>, Double) in
                    let nodes = mesh.faceNodes(face)
                    var centroid = SIMD3<Double>.zero
                    for a in nodes { centroid += mesh.nodes[a] }
                    centroid /= Double(nodes.count)
                    var fv = FaceValues(faceType: mesh.faceType(face))
                    try fv.reinit(mesh: mesh, face: face)
                    for q in 0..<fv.quadratureCount { normal += fv.jxw[q] * fv.normals[q] }
                    return (face, centroid, fv.jxw.reduce(0, +))
                }
                let total = info.reduce(0) { $0 + $1.2 }
                var centre = SIMD3<Double>.zero
                for e in info { centre += e.2 * e.1 }
                centre /= total
                if let centreGiven { centre = centreGiven }
                let nn = (normal * normal).sum().squareRoot()
                let unit = nn > 0 ? normal / nn : SIMD3<Double>.zero
                func distance2(_ x: SIMD3<Double>) -> Double {
                    var d = x - centre
                    d -= (d * unit).sum() * unit
                    return (d * d).sum()
                }
                let sorted = info.sorted { distance2($0.1) < distance2($1.1) }
                var open = 0.0
                var openFaces: [FaceRef] = []
                for e in sorted {
                    if abs(open + e.2 - fraction * total) <= abs(open - fraction * total) { open += e.2; openFaces.append(e.0) } else { break }
                }
                fractions.append(open / total)
                for face in openFaces {
                    dFaces[f].insert(face)
                    let k = solutes[f].materials[cellMat[f][face.cell]].material.partition
                    for node in mesh.faceNodes(face) {
                        guard let d = dofMap.dof(field: f, node: node, component: 0) else { continue }
                        isC[d] = true; base[d] = k * value; curves[d] = nil
                    }
                }
            }
        }
        constrained = isC
        prescribedBase = base
        prescribedCurve = curves
        fluxFaces = fluxes.map { (field: $0.0, face: $0.1, inflow: $0.2) }
        dirichletFaces = dFaces
        var weights: [Int: Double] = [:]
        for (f, set) in dFaces.enumerated() {
            for face in set {
                for (node, w) in try Self.faceNodeIntegrals(mesh, face) {
                    if let d = dofMap.dof(field: f, node: node, component: 0) { weights[d, default: 0] += w }
                }
            }
        }
        dirichletWeight = weights
        openAreaFractions = fractions
        let numbering = EquationNumbering(constrained: isC)
        self.numbering = numbering
        let dofMap = self.dofMap

        // Pattern: all free dofs of a cell couple (reactions couple the solutes); the
        // shared FE assembler builds the general CSR pattern and the cell scatter map.
        let assembler = try Assembler(dofMap: dofMap, numbering: numbering, threads: options.threads, structure: .general)
        self.assembler = assembler
        equationResidual = [Double](repeating: 0, count: numbering.count)
        constrainedCells = (0..<nc).filter { c in dofMap.cellDofs(c).contains { isC[$0] } }
        let matrix = try assembler.makeGeneralMatrix()
        self.matrix = matrix
        cellScatter = assembler.scatter
        cellScatterOffsets = assembler.scatterOffsets
        let solver = SparseLU()
        self.solver = solver
        var newtonOptions = NewtonOptions()
        newtonOptions.relativeTolerance = 1e-10
        newtonOptions.absoluteTolerance = 0
        newtonOptions.maxIterations = options.maxIterations
        newtonOptions.maxBacktracks = 10
        newtonSolver = GeneralNewtonSolver(options: newtonOptions, linearSolver: solver)
        var volumes = [Double](repeating: 0, count: nc)
        for c in 0..<nc { volumes[c] = try mesh.integrate(cells: [c]) { _ in 1 } }
        cellVolumes = volumes

        var c0 = [Double](repeating: 0, count: n)
        for (f, s) in solutes.enumerated() {
            for node in dofMap.nodes(ofField: f) { if let d = dofMap.dof(field: f, node: node, component: 0) { c0[d] = s.initialConcentration } }
        }
        concentrations = c0
        previousConcentrations = c0
        residual = [Double](repeating: 0, count: n)
        previousPorosity = [Double](repeating: 1, count: nc)
        applyPrescribed(at: 0, to: &concentrations)
        previousPorosity = currentPorosities()
    }

    // MARK: - State

    /// Field index of solute `name`.
    public func field(_ name: String) throws -> Int {
        guard let f = solutes.firstIndex(where: { $0.name == name }) else { throw TransportError.unknownName(field: "solute", name: name, known: solutes.map(\.name)) }
        return f
    }

    /// Sets the concentration (mM) of `solute` at every node from a function of position (mm);
    /// prescribed boundary values are kept. Also resets the old-step state.
    public func setConcentration(solute: String, _ value: (SIMD3<Double>) -> Double) throws {
        let f = try field(solute)
        for node in dofMap.nodes(ofField: f) {
            guard let d = dofMap.dof(field: f, node: node, component: 0), !constrained[d] else { continue }
            let v = value(mesh.nodes[node])
            guard v.isFinite && v >= 0 else { throw TransportError.invalidParameter(field: "\(solute).initial", value: "\(v)", expected: "a concentration ≥ 0 mM") }
            concentrations[d] = v
        }
        previousConcentrations = concentrations
        previousPorosity = currentPorosities()
    }

    /// Nodal values (mM) of `solute` for every mesh node (0 where the solute is absent) — for VTU.
    /// Values are reported through ``reported(_:solute:)``.
    public func nodalValues(solute: String) throws -> [Double] {
        let f = try field(solute)
        return try dofMap.nodalValues(field: f, from: concentrations).map { reported($0, field: f) }
    }

    /// The largest magnitude (mM) of `solute`'s nodal values — the scale of its round-off.
    private func scale(_ f: Int) -> Double {
        var m = 0.0
        for node in dofMap.nodes(ofField: f) { if let d = dofMap.dof(field: f, node: node, component: 0) { m = max(m, abs(concentrations[d])) } }
        return m
    }

    /// Where a solute is fully consumed, the continuous solution is exactly zero and the
    /// computed one is zero up to the solver's round-off (±1e-13 mM). Reported values treat
    /// a negative value within `1e-9 ×` the solute's largest value as that round-off and
    /// report 0; a larger undershoot is reported as computed (and shows in
    /// ``largestUndershoot(solute:)``), never hidden.
    public func reported(_ v: Double, solute: String) throws -> Double { reported(v, field: try field(solute)) }

    private func reported(_ v: Double, field f: Int) -> Double {
        v < 0 && v >= -1e-9 * scale(f) ? 0 : v
    }

    /// The most negative nodal value (mM) of `solute` beyond round-off (0 if none): a
    /// genuine undershoot of the discretisation, which the outputs do not hide.
    public func largestUndershoot(solute: String) throws -> Double {
        let f = try field(solute)
        var lo = 0.0
        for node in dofMap.nodes(ofField: f) { if let d = dofMap.dof(field: f, node: node, component: 0) { lo = min(lo, reported(concentrations[d], field: f)) } }
        return lo
    }

    private func applyPrescribed(at t: Double, to x: inout [Double]) {
        for d in 0..<x.count where constrained[d] { x[d] = prescribedBase[d] * (prescribedCurve[d]?.value(at: t) ?? 1) }
    }

    private func currentPorosities() -> [Double] {
        (0..<mesh.cellCount).map { tissue.porosity?[$0] ?? tissue.referencePorosity }
    }

    // MARK: - Solves

    /// Solves the steady problem (no capacity term) by Newton from the current state.
    /// If Newton fails from there, marches pseudo-transient backward-Euler steps with
    /// growing Δt (the approach of Soukane et al. 2005) and finishes with Newton.
    /// - Throws: ``TransportError/notConverged(iterations:residual:)``.
    public func solveSteady() throws {
        applyPrescribed(at: time, to: &concentrations)
        let saved = concentrations
        do {
            try newton(timeStep: .infinity)
        } catch TransportError.notConverged {
            concentrations = saved
            previousConcentrations = saved
            var dt = 1.0
            for _ in 0..<60 {
                try newton(timeStep: dt)
                previousConcentrations = concentrations
                dt *= 2
                if dt > 1e9 { break }
            }
            try newton(timeStep: .infinity)
        }
        previousConcentrations = concentrations
        previousPorosity = currentPorosities()
    }

    /// Advances by one backward-Euler step of `dt` (s) with the current ``tissue`` state.
    /// - Throws: ``TransportError``; on failure the state is left at the start of the step.
    public func step(_ dt: Double) throws {
        guard dt.isFinite && dt > 0 else { throw TransportError.invalidParameter(field: "timeStep", value: "\(dt)", expected: "a finite time step > 0 s") }
        let saved = concentrations
        previousConcentrations = concentrations
        time += dt
        applyPrescribed(at: time, to: &concentrations)
        do { try newton(timeStep: dt) } catch {
            time -= dt; concentrations = saved
            throw error
        }
        previousConcentrations = concentrations
        previousPorosity = currentPorosities()
    }

    /// The state at the start of a step — concentrations, the old-step values and the time — so a
    /// step can be taken again with another length (an error-controlled step that was rejected).
    public struct Checkpoint: Sendable {
        fileprivate let concentrations: [Double], previousConcentrations: [Double], previousPorosity: [Double]
        fileprivate let time: Double
        fileprivate let openAreaFractions: [Double]
    }

    /// The current state, for ``restore(_:)``.
    public func checkpoint() -> Checkpoint {
        Checkpoint(concentrations: concentrations, previousConcentrations: previousConcentrations, previousPorosity: previousPorosity,
                   time: time, openAreaFractions: openAreaFractions)
    }

    /// Returns to a state taken by ``checkpoint()`` (the tissue state is the caller's).
    public func restore(_ c: Checkpoint) {
        concentrations = c.concentrations; previousConcentrations = c.previousConcentrations; previousPorosity = c.previousPorosity
        time = c.time; openAreaFractions = c.openAreaFractions
    }

    /// Newton on the free equations with the shared ``GeneralNewtonSolver`` (backtracking
    /// line search; converged when the largest update is below ``TransportOptions/relativeTolerance``
    /// × the largest concentration, or the residual fell by 10 orders). Problems without
    /// reactions are linear: one factorization per solve.
    private func newton(timeStep dt: Double) throws {
        let system = TransportNewtonSystem(problem: self, timeStep: dt)
        var x = (0..<numbering.count).map { concentrations[numbering.dofOfEquation[$0]] }
        newtonSolver.options.maxIterations = options.maxIterations
        let before = newtonSolver.statistics
        defer {
            let after = newtonSolver.statistics
            profile.factorization += after.factorSeconds - before.factorSeconds
            profile.factorizations += after.factorizations - before.factorizations
            profile.analysis += after.analyzeSeconds - before.analyzeSeconds
            profile.solve += after.solveSeconds - before.solveSeconds
            profile.newtonIterations += after.iterations - before.iterations
            profile.equations = numbering.count; profile.bandwidth = 0
            profile.factorNonzeros = solver.report.nonzerosL; profile.perturbedPivots = solver.report.perturbedPivots
        }
        let report: NewtonReport
        do {
            report = try newtonSolver.solve(system, x: &x)
        } catch let NewtonError.notConverged(iterations, residual, _) {
            throw TransportError.notConverged(iterations: iterations, residual: residual)
        } catch let NewtonError.stalled(iteration, residual, _, _, _) {
            throw TransportError.notConverged(iterations: iteration, residual: residual)
        } catch let NewtonError.diverged(iteration, residual) {
            if !residual.isFinite { throw TransportError.nonFinite(what: "transport residual") }
            throw TransportError.notConverged(iterations: iteration, residual: residual)
        } catch let LinearAlgebraError.singular(column) {
            throw TransportError.singularMatrix(column: column)
        }
        var full = concentrations
        for e in 0..<numbering.count { full[numbering.dofOfEquation[e]] = x[e] }
        concentrations = full
        // The outputs need the constrained dofs' residuals at the final state.
        if !system.lastEvaluationHadOutputs { try assemble(x: full, timeStep: dt, withMatrix: false, outputs: true) }
        lastIterations = report.iterations
    }

    // MARK: - Assembly

    private struct CellData {
        var diffusivity: [(axial: Double, transverse: Double, axis: SIMD3<Double>)]
        var capacity: [Double]
        var previousCapacity: [Double]
    }

    private func materialState(cell c: Int) -> CellData {
        let phi = tissue.porosity?[c] ?? tissue.referencePorosity
        let strain = tissue.compressiveStrain?[c] ?? 0
        var d: [(Double, Double, SIMD3<Double>)] = []
        var k: [Double] = [], kOld: [Double] = []
        for f in 0..<solutes.count {
            let m = cellMaterial[f][c]
            if m < 0 { d.append((0, 0, .zero)); k.append(0); kOld.append(0); continue }
            let mat = solutes[f].materials[m].material
            d.append(mat.diffusivity.evaluate(porosity: phi, strain: strain))
            k.append(mat.capacityIsPorosity ? phi : mat.capacity)
            kOld.append(mat.capacityIsPorosity ? previousPorosity[c] : mat.capacity)
        }
        return CellData(diffusivity: d, capacity: k, previousCapacity: kOld)
    }

    /// The Jacobian columns of a reaction with up to four lanes: `self[r][s] = ∂Q_s/∂c_r`.
    private struct LaneJacobian {
        var c0 = SIMD4<Double>.zero, c1 = SIMD4<Double>.zero, c2 = SIMD4<Double>.zero, c3 = SIMD4<Double>.zero
        subscript(r: Int) -> SIMD4<Double> {
            get { r == 0 ? c0 : r == 1 ? c1 : r == 2 ? c2 : c3 }
            set { switch r { case 0: c0 = newValue; case 1: c1 = newValue; case 2: c2 = newValue; default: c3 = newValue } }
        }
    }

    /// Reaction consumption (mM/s) and its Jacobian `J[r][s] = ∂Q_s/∂c_r` (forward differences) for the lanes of reaction `k`.
    private func reactionWithJacobian(_ k: Int, _ c: SIMD4<Double>) -> (SIMD4<Double>, LaneJacobian) {
        let r = reactions[k].reaction
        let q0 = r.consumption(c)
        var columns = LaneJacobian()
        for lane in 0..<reactionFields[k].count {
            var cp = c
            let h = 1e-7 * max(abs(c[lane]), 1e-3)
            cp[lane] += h
            columns[lane] = (r.consumption(cp) - q0) / h
        }
        return (q0, columns)   // columns[r][s] = ∂Q_s/∂c_r
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

    /// What one assembly's cell kernels read: the problem (not mutated while they run),
    /// the iterate and the time step.
    private struct CellInput: @unchecked Sendable {
        let problem: SoluteTransportProblem
        let x: [Double]
        let timeStep: Double
        let pool: ScratchPool
    }

    /// The element residual `fe` (and, when given, the row-major tangent `ke`) of cell `c`,
    /// local dofs in ``DofMap/cellDofs(_:)`` order; both arrive zeroed.
    private func cellKernel(_ c: Int, _ input: CellInput, _ cellScratch: CellScratch,
                            _ keBuffer: UnsafeMutableBufferPointer<Double>?, _ feBuffer: UnsafeMutableBufferPointer<Double>) throws {
        let x = input.x, dt = input.timeStep
        let withMatrix = keBuffer != nil
        let transient = dt.isFinite
        let invDt = transient ? 1 / dt : 0
        let nf = solutes.count
        let maxNodes = 27
        let maxM = max(nf, 1) * maxNodes
        // Per-point scratch: shape gradients, w·∇N, D∇N, lumped masses; nodal values.
        let scratch = cellScratch.buffer(0, count: 8 * maxNodes + 2 * maxM).baseAddress!
        let gx = scratch, gy = scratch + maxNodes, gz = scratch + 2 * maxNodes, wg = scratch + 3 * maxNodes
        let dgx = scratch + 4 * maxNodes, dgy = scratch + 5 * maxNodes, dgz = scratch + 6 * maxNodes, mass = scratch + 7 * maxNodes
        let cn = scratch + 8 * maxNodes, co = cn + maxM
        let ke = keBuffer?.baseAddress ?? scratch, fe = feBuffer.baseAddress!
        var cq = [Double](repeating: 0, count: nf), cqOld = cq
        var gq = [SIMD3<Double>](repeating: .zero, count: nf)
        var present: [(f: Int, r0: Int)] = []
        var laneOf = [Int](repeating: -1, count: nf), rangeOf = laneOf
        do {
            let dofs = dofMap.cellDofs(c)
            let d0 = dofs.startIndex
            let m = dofs.count
            if m == 0 { return }
            let type = mesh.cellType(c)
            let cv = try cellScratch.values(mesh: mesh, cell: c, degree: options.quadratureDegree)
            let nn = cv.basisCount, nq = cv.quadratureCount
            let state = materialState(cell: c)
            let lump = options.lumped && type.cornerCount == type.nodeCount
            present.removeAll(keepingCapacity: true)
            for f in 0..<nf { let r = dofMap.localRange(cell: c, field: f); if !r.isEmpty { present.append((f, r.lowerBound)) } }
            for (f, r0) in present {
                for a in 0..<nn { cn[f * maxNodes + a] = x[dofs[d0 + r0 + a]]; co[f * maxNodes + a] = previousConcentrations[dofs[d0 + r0 + a]] }
            }
            let rk = cellReaction[c]
            let lanes = rk >= 0 ? reactionFields[rk] : []
            for f in 0..<nf { laneOf[f] = -1; rangeOf[f] = -1 }
            for (l, f) in lanes.enumerated() { laneOf[f] = l }
            for (f, r0) in present { rangeOf[f] = r0 }
            let reactionAtPoints = rk >= 0 && (!lump || (options.supg && tissue.darcyFlux != nil))
            cv.values.withUnsafeBufferPointer { nvBuffer in
                cv.gradients.withUnsafeBufferPointer { grBuffer in
                    let nv = nvBuffer.baseAddress!, gr = grBuffer.baseAddress!
                    for a in 0..<nn { mass[a] = 0 }
                    for q in 0..<nq { for a in 0..<nn { mass[a] += cv.jxw[q] * nv[q * nn + a] } }

                    for q in 0..<nq {
                        let jxw = cv.jxw[q], xq = cv.points[q]
                        let w = tissue.darcyFlux?(c, xq) ?? .zero
                        let divw = tissue.darcyDivergence?(c, xq) ?? 0
                        let wn = (w * w).sum().squareRoot()
                        let nq0 = nv + q * nn, gq0 = gr + q * nn * 3
                        var sumAbs = 0.0
                        for a in 0..<nn {
                            gx[a] = gq0[3 * a]; gy[a] = gq0[3 * a + 1]; gz[a] = gq0[3 * a + 2]
                            wg[a] = w.x * gx[a] + w.y * gy[a] + w.z * gz[a]
                            sumAbs += abs(wg[a])
                        }
                        for (f, _) in present {
                            var v = 0.0, vo = 0.0, g = SIMD3<Double>.zero
                            let cf = cn + f * maxNodes, cof = co + f * maxNodes
                            for a in 0..<nn {
                                let na = nq0[a], ca = cf[a]
                                v += na * ca; vo += na * cof[a]
                                g.x += ca * gx[a]; g.y += ca * gy[a]; g.z += ca * gz[a]
                            }
                            cq[f] = v; cqOld[f] = vo; gq[f] = g
                        }
                        // Reaction at the point (consistent form and SUPG).
                        var qq = SIMD4<Double>.zero
                        var jq = LaneJacobian()
                        let hasReaction = reactionAtPoints && (!lump || wn > 0)
                        if hasReaction {
                            var cl = SIMD4<Double>.zero
                            for (l, f) in lanes.enumerated() { cl[l] = cq[f] }
                            (qq, jq) = reactionWithJacobian(rk, cl)
                        }
                        for (f, r0) in present {
                            let (da, dtr, axis) = state.diffusivity[f]
                            let kap = state.capacity[f], kapOld = state.previousCapacity[f]
                            let ddiff = da - dtr
                            for b in 0..<nn {
                                let ag = ddiff * (axis.x * gx[b] + axis.y * gy[b] + axis.z * gz[b])
                                dgx[b] = dtr * gx[b] + ag * axis.x; dgy[b] = dtr * gy[b] + ag * axis.y; dgz[b] = dtr * gz[b] + ag * axis.z
                            }
                            let dg = dtr * gq[f] + ddiff * (axis * gq[f]).sum() * axis
                            var tau = 0.0
                            if options.supg && wn > 0 && sumAbs > 0 {
                                let h = 2 * wn / sumAbs
                                let wh = w / wn
                                let dw = dtr + ddiff * pow((axis * wh).sum(), 2)
                                let pe = wn * h / (2 * dw)
                                let xi = pe < 1e-3 ? pe / 3 : (pe > 30 ? 1 - 1 / pe : 1 / tanh(pe) - 1 / pe)
                                tau = h / (2 * wn) * xi
                            }
                            let lane = laneOf[f]
                            let conv = (w * gq[f]).sum() + divw * cq[f]
                            let content = transient ? (kap * cq[f] - kapOld * cqOld[f]) * invDt : 0
                            let react = lane >= 0 && hasReaction ? qq[lane] : 0
                            // Strong residual for SUPG (the diffusion term vanishes on linear cells).
                            let strong = conv + content + react
                            for a in 0..<nn {
                                let na = nq0[a]
                                let pa = tau * wg[a]
                                // Convection in conservative (integrated-by-parts) form: −∫∇N_a·w c; the boundary term is added on faces below.
                                var ra = -wg[a] * cq[f] + gx[a] * dg.x + gy[a] * dg.y + gz[a] * dg.z + pa * strong
                                if !lump { ra += na * (content + react) }
                                fe[r0 + a] += jxw * ra
                                guard withMatrix else { continue }
                                let row = ke + (r0 + a) * m + r0
                                let capCoef = transient ? (pa + (lump ? 0 : na)) * kap * invDt : 0
                                let wa = wg[a], gxa = gx[a], gya = gy[a], gza = gz[a]
                                for b in 0..<nn {
                                    let nb = nq0[b]
                                    let convB = wg[b] + divw * nb
                                    row[b] += jxw * (-wa * nb + pa * convB + gxa * dgx[b] + gya * dgy[b] + gza * dgz[b] + capCoef * nb)
                                }
                                if lane >= 0 && hasReaction {
                                    let weight = pa + (lump ? 0 : na)
                                    if weight != 0 {
                                        for (l2, f2) in lanes.enumerated() {
                                            let dq = jq[l2][lane]
                                            if dq == 0 { continue }
                                            let row2 = ke + (r0 + a) * m + rangeOf[f2]
                                            let s = jxw * weight * dq
                                            for b in 0..<nn { row2[b] += s * nq0[b] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // Lumped capacity and reaction terms.
            if lump {
                if transient {
                    for (f, r0) in present {
                        let kap = state.capacity[f], kapOld = state.previousCapacity[f]
                        for a in 0..<nn {
                            fe[r0 + a] += mass[a] * (kap * cn[f * maxNodes + a] - kapOld * co[f * maxNodes + a]) * invDt
                            if withMatrix { ke[(r0 + a) * m + r0 + a] += mass[a] * kap * invDt }
                        }
                    }
                }
                if rk >= 0 {
                    for a in 0..<nn {
                        var cl = SIMD4<Double>.zero
                        for (l, f) in lanes.enumerated() { cl[l] = cn[f * maxNodes + a] }
                        let (qa, ja) = reactionWithJacobian(rk, cl)
                        for (l, f) in lanes.enumerated() {
                            let ra = rangeOf[f] + a
                            fe[ra] += mass[a] * qa[l]
                            if withMatrix { for (l2, f2) in lanes.enumerated() { ke[ra * m + rangeOf[f2] + a] += mass[a] * ja[l2][l] } }
                        }
                    }
                }
            }
        }
    }

    /// Evaluates the residual at `x` (free equations; with `outputs`, the constrained dofs'
    /// residuals too, i.e. the consistent boundary fluxes) and, with `withMatrix`, the tangent.
    /// Cells run on the shared FE ``Assembler``'s threads; face terms follow serially.
    private func assemble(x: [Double], timeStep dt: Double, withMatrix: Bool, outputs: Bool = false) throws {
        let t0 = ContinuousClock.now
        defer {
            let t = Self.seconds(ContinuousClock.now - t0)
            if withMatrix { profile.matrixAssembly += t; profile.matrixAssemblies += 1 } else { profile.residualAssembly += t; profile.residualAssemblies += 1 }
        }
        for i in 0..<residual.count { residual[i] = 0 }
        for e in 0..<equationResidual.count { equationResidual[e] = 0 }
        let nf = solutes.count
        let input = CellInput(problem: self, x: x, timeStep: dt, pool: scratchPool)
        if withMatrix {
            for i in 0..<matrix.values.count { matrix.values[i] = 0 }
            try assembler.assemble(matrix: &matrix, rhs: &equationResidual) { c, scratch, ke, fe in
                try input.problem.cellKernel(c, input, scratch, ke, fe)
            }
        } else {
            try assembler.assembleVector(rhs: &equationResidual) { c, fe in
                try input.pool.withScratch { scratch in try input.problem.cellKernel(c, input, scratch, nil, fe) }
            }
        }
        for e in 0..<equationResidual.count { residual[numbering.dofOfEquation[e]] = equationResidual[e] }
        if outputs && !constrainedCells.isEmpty {
            // Residuals at constrained dofs come only from the cells that touch them.
            var full = [Double](repeating: 0, count: residual.count)
            try assembler.assembleDofVector(cells: constrainedCells, into: &full) { c, fe in
                try input.pool.withScratch { scratch in try input.problem.cellKernel(c, input, scratch, nil, fe) }
            }
            for d in 0..<full.count where constrained[d] { residual[d] = full[d] }
        }
        // Convective boundary term ∮ N_a c w·n on every boundary face of each solute's domain
        // (outflow carries the solute out; the natural condition is on the diffusive flux).
        if let flux = tissue.darcyFlux {
            for f in 0..<nf {
                for face in domainBoundary(f) {
                    var fv = FaceValues(faceType: mesh.faceType(face))
                    try fv.reinit(mesh: mesh, face: face)
                    let dofsF = fv.nodes.map { dofMap.dof(field: f, node: $0, component: 0)! }
                    let eqs = dofsF.map { numbering.equation(ofDof: $0) }
                    for q in 0..<fv.quadratureCount {
                        let wn = (flux(face.cell, fv.points[q]) * fv.normals[q]).sum()
                        if wn == 0 { continue }
                        var cqF = 0.0
                        for a in 0..<fv.basisCount { cqF += fv.shape(q, a) * x[dofsF[a]] }
                        for a in 0..<fv.basisCount {
                            let na = fv.shape(q, a)
                            residual[dofsF[a]] += fv.jxw[q] * na * cqF * wn
                            guard withMatrix, eqs[a] >= 0 else { continue }
                            for b in 0..<fv.basisCount where eqs[b] >= 0 {
                                if let pos = position(row: eqs[a], column: eqs[b]) { matrix.values[pos] += fv.jxw[q] * na * fv.shape(q, b) * wn }
                            }
                        }
                    }
                }
            }
        }
        // Prescribed diffusive inflow on faces.
        for (f, face, inflow) in fluxFaces {
            var fv = FaceValues(faceType: mesh.faceType(face))
            try fv.reinit(mesh: mesh, face: face)
            for q in 0..<fv.quadratureCount {
                for a in 0..<fv.basisCount {
                    if let d = dofMap.dof(field: f, node: fv.nodes[a], component: 0) { residual[d] -= fv.jxw[q] * fv.shape(q, a) * inflow }
                }
            }
        }
    }

    /// Number of free equations.
    fileprivate var equationCount: Int { numbering.count }
    /// The tangent's general CSR pattern (values as last assembled).
    fileprivate var tangentPattern: CSRMatrix { matrix }

    /// Newton's evaluation: the residual of the free equations at the free values `x`
    /// (constrained dofs at their prescribed values) and, when `tangent` is non-nil, the tangent.
    /// Residual-only evaluations also give the constrained dofs' residuals (outputs).
    fileprivate func evaluateForNewton(_ x: [Double], timeStep: Double, residual r: inout [Double], tangent: inout CSRMatrix?) throws {
        var full = concentrations
        for e in 0..<numbering.count { full[numbering.dofOfEquation[e]] = x[e] }
        let withMatrix = tangent != nil
        try assemble(x: full, timeStep: timeStep, withMatrix: withMatrix, outputs: !withMatrix)
        for e in 0..<numbering.count { r[e] = residual[numbering.dofOfEquation[e]] }
        guard r.allSatisfy(\.isFinite) else { throw TransportError.nonFinite(what: "transport residual") }
        if withMatrix { tangent!.values = matrix.values }
    }

    /// Index into `matrix.values` of entry (row, column), nil when not in the pattern.
    private func position(row: Int, column: Int) -> Int? {
        var lo = matrix.rowStarts[row], hi = matrix.rowStarts[row + 1]
        let key = Int32(column)
        while lo < hi {
            let mid = (lo + hi) / 2
            if matrix.columnIndices[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo < matrix.rowStarts[row + 1] && matrix.columnIndices[lo] == key ? lo : nil
    }

    // MARK: - Outputs

    /// True when `solute` lives in `cell` (the cell lies in one of the solute's material regions).
    /// - Throws: ``TransportError`` for an unknown solute or a cell outside the mesh.
    public func carries(solute: String, cell: Int) throws -> Bool {
        let f = try field(solute)
        guard cell >= 0, cell < mesh.cellCount else {
            throw TransportError.invalidParameter(field: "cell", value: "\(cell)", expected: "a cell index in 0..<\(mesh.cellCount)")
        }
        return cellMaterial[f][cell] >= 0
    }

    private func cells(_ region: String?) throws -> [Int] {
        guard let region else { return Array(0..<mesh.cellCount) }
        guard mesh.regions[region] != nil else { throw TransportError.unknownName(field: "region", name: region, known: Array(mesh.regions.keys)) }
        return try mesh.cells(inRegion: region)
    }

    /// Solute content `∫κc dV` (mM·mm³ = nmol) of `solute` over `region` (nil: everywhere).
    public func content(solute: String, region: String? = nil) throws -> Double {
        let f = try field(solute)
        var total = 0.0
        for c in try cells(region) where cellMaterial[f][c] >= 0 {
            let kap = materialState(cell: c).capacity[f]
            total += kap * (try integrateField(f, cell: c) { v, _ in v })
        }
        return total
    }

    /// Net consumption rate `∫Q dV` (mM·mm³/s = nmol/s) of `solute` over `region` as
    /// discretised (lumped: nodal rates × nodal volumes); negative when produced.
    public func consumptionRate(solute: String, region: String? = nil) throws -> Double {
        let f = try field(solute)
        var total = 0.0
        for c in try cells(region) {
            let rk = cellReaction[c]
            guard rk >= 0, let lane = reactionFields[rk].firstIndex(of: f) else { continue }
            let type = mesh.cellType(c)
            var cv = CellValues(cellType: type, degree: options.quadratureDegree)
            try cv.reinit(mesh: mesh, cell: c)
            let dofs = Array(dofMap.cellDofs(c))
            let lanes = reactionFields[rk]
            func nodal(_ f2: Int, _ a: Int) -> Double { concentrations[dofs[dofMap.localRange(cell: c, field: f2).lowerBound + a]] }
            if options.lumped && type.cornerCount == type.nodeCount {
                for a in 0..<cv.basisCount {
                    var cl = SIMD4<Double>.zero
                    for (l, f2) in lanes.enumerated() { cl[l] = nodal(f2, a) }
                    var ma = 0.0
                    for q in 0..<cv.quadratureCount { ma += cv.jxw[q] * cv.shape(q, a) }
                    total += ma * reactions[rk].reaction.consumption(cl)[lane]
                }
            } else {
                for q in 0..<cv.quadratureCount {
                    var cl = SIMD4<Double>.zero
                    for (l, f2) in lanes.enumerated() { for a in 0..<cv.basisCount { cl[l] += cv.shape(q, a) * nodal(f2, a) } }
                    total += cv.jxw[q] * reactions[rk].reaction.consumption(cl)[lane]
                }
            }
        }
        return total
    }

    /// Net inflow rate (mM·mm³/s = nmol/s, positive into the tissue) of `solute` through `surface`
    /// at the current state: diffusive plus convective (`−∫c w·n dA`).
    ///
    /// The diffusive part is the consistent one that the discrete balance uses: the nodal
    /// residuals at the nodes of the surface's prescribed-concentration faces, each shared
    /// between all prescribed faces meeting at the node in proportion to `∫N dA` (so surfaces
    /// that meet at an edge add up to the total; the weights are negative at the corners of
    /// serendipity quad8 faces, with the same sign on every face at a node), plus the prescribed flux on its faces (zero
    /// on the impermeable rest). Faces inside the solute's domain (an internal surface) use `∫D∇c·n dA` from the
    /// cell gradients instead, with `n` the face's outward normal seen from its cell.
    public func boundaryInflow(solute: String, surface: String) throws -> Double {
        let f = try field(solute)
        guard mesh.surfaces[surface] != nil else { throw TransportError.unknownName(field: "surface", name: surface, known: Array(mesh.surfaces.keys)) }
        let faces = try mesh.faces(ofSurface: surface).filter { cellMaterial[f][$0.cell] >= 0 }
        let boundary = domainBoundary(f)
        var diffusive = 0.0
        var share: [Int: Double] = [:]
        let prescribed = fluxFaces.filter { $0.field == f }
        for face in faces {
            if boundary.contains(face) {
                if dirichletFaces[f].contains(face) {
                    for (node, w) in try Self.faceNodeIntegrals(mesh, face) {
                        if let d = dofMap.dof(field: f, node: node, component: 0) { share[d, default: 0] += w }
                    }
                }
                for p in prescribed where p.face == face {
                    var fv = FaceValues(faceType: mesh.faceType(face))
                    try fv.reinit(mesh: mesh, face: face)
                    diffusive += p.inflow * fv.jxw.reduce(0, +)
                }
            } else {
                diffusive += try faceIntegral(f, face: face) { _, g, n, _, d in (d(g) * n).sum() }
            }
        }
        for (d, w) in share { if let total = dirichletWeight[d], total != 0 { diffusive += residual[d] * w / total } }
        var convective = 0.0
        if let flux = tissue.darcyFlux {
            for face in faces {
                convective -= try faceIntegral(f, face: face) { v, _, n, x, _ in v * (flux(face.cell, x) * n).sum() }
            }
        }
        return diffusive + convective
    }

    private var boundaryCache: [Int: Set<FaceRef>] = [:]

    /// `(node, ∫_face N_node dA)` for the nodes of a face (mm²).
    static func faceNodeIntegrals(_ mesh: Mesh, _ face: FaceRef) throws -> [(Int, Double)] {
        var fv = FaceValues(faceType: mesh.faceType(face))
        try fv.reinit(mesh: mesh, face: face)
        return (0..<fv.basisCount).map { a in (fv.nodes[a], (0..<fv.quadratureCount).reduce(0) { $0 + fv.jxw[$1] * fv.shape($1, a) }) }
    }

    /// Faces on the boundary of solute `f`'s cells.
    private func domainBoundary(_ f: Int) -> Set<FaceRef> {
        if let b = boundaryCache[f] { return b }
        let cells = (0..<mesh.cellCount).filter { cellMaterial[f][$0] >= 0 }
        let b = Set(mesh.boundaryFaces(of: cells))
        boundaryCache[f] = b
        return b
    }

    /// ∫ over a face of `g(c, ∇c, n, x, D·)` with the cell's interpolation.
    private func faceIntegral(_ f: Int, face: FaceRef,
                              _ integrand: (Double, SIMD3<Double>, SIMD3<Double>, SIMD3<Double>, (SIMD3<Double>) -> SIMD3<Double>) -> Double) throws -> Double {
        var fv = FaceValues(faceType: mesh.faceType(face))
        try fv.reinit(mesh: mesh, face: face)
        let type = mesh.cellType(face.cell)
        let dofs = Array(dofMap.cellDofs(face.cell))
        let r0 = dofMap.localRange(cell: face.cell, field: f).lowerBound
        let values = (0..<type.nodeCount).map { concentrations[dofs[r0 + $0]] }
        let state = materialState(cell: face.cell)
        let (da, dt_, axis) = state.diffusivity[f]
        let dOp: (SIMD3<Double>) -> SIMD3<Double> = { g in dt_ * g + (da - dt_) * (axis * g).sum() * axis }
        var total = 0.0
        for q in 0..<fv.quadratureCount {
            let xi = type.cellPoint(onFace: face.face, at: SIMD2(fv.table.rule.points[q].x, fv.table.rule.points[q].y))
            var nv = [Double](repeating: 0, count: type.nodeCount), gr = [Double](repeating: 0, count: 3 * type.nodeCount)
            nv.withUnsafeMutableBufferPointer { vp in gr.withUnsafeMutableBufferPointer { gp in type.evaluate(at: xi, values: vp.baseAddress!, gradients: gp.baseAddress!) } }
            let jac = gr.withUnsafeBufferPointer { mesh.jacobian(cell: face.cell, referenceGradients: $0.baseAddress!) }
            let (r0i, r1i, r2i) = jac.inverseRows()
            var v = 0.0, g = SIMD3<Double>.zero
            for a in 0..<type.nodeCount {
                let gref = SIMD3(gr[3 * a], gr[3 * a + 1], gr[3 * a + 2])
                let gphys = gref.x * r0i + gref.y * r1i + gref.z * r2i
                v += nv[a] * values[a]; g += values[a] * gphys
            }
            total += fv.jxw[q] * integrand(v, g, fv.normals[q], fv.points[q], dOp)
        }
        return total
    }

    /// Smallest, largest and volume-average concentration (mM) of `solute` over `region`
    /// (nil: all its regions): extremes over the nodes (through ``reported(_:solute:)``), average `∫c dV / V`.
    public func statistics(solute: String, region: String? = nil) throws -> (min: Double, max: Double, average: Double) {
        let f = try field(solute)
        var lo = Double.infinity, hi = -Double.infinity, integral = 0.0, volume = 0.0
        for c in try cells(region) where cellMaterial[f][c] >= 0 {
            let dofs = dofMap.cellDofs(c)
            for i in dofMap.localRange(cell: c, field: f) { let v = reported(concentrations[dofs[dofs.startIndex + i]], field: f); lo = min(lo, v); hi = max(hi, v) }
            integral += try integrateField(f, cell: c) { v, _ in v }
            volume += cellVolumes[c]
        }
        return (lo, hi, volume > 0 ? integral / volume : .nan)
    }

    /// Node (mesh index) where `solute` is smallest (`largest == false`) or largest.
    public func extremeNode(solute: String, largest: Bool) throws -> Int {
        let f = try field(solute)
        var best = -1, value = largest ? -Double.infinity : Double.infinity
        for node in dofMap.nodes(ofField: f) {
            guard let d = dofMap.dof(field: f, node: node, component: 0) else { continue }
            let v = concentrations[d]
            if largest ? v > value : v < value { value = v; best = node }
        }
        return best
    }

    /// Concentration (mM) of `solute` at point `x` (mm); nil outside its regions.
    public func probe(solute: String, at x: SIMD3<Double>) throws -> Double? {
        let f = try field(solute)
        guard let (c, xi) = PointLocator(mesh: mesh).locate(x), cellMaterial[f][c] >= 0 else { return nil }
        return dofMap.evaluate(field: f, cell: c, reference: xi, dofValues: concentrations)?.first.map { reported($0, field: f) }
    }

    /// Volume fraction of `region` (nil: all cells with the metabolism's solutes) where the
    /// cells are viable by `metabolism`'s thresholds (glucose ≥ threshold and pH ≥ threshold),
    /// evaluated at the quadrature points (dimensionless, 0…1).
    public func viableFraction(metabolism: DiscCellMetabolism, region: String? = nil) throws -> Double {
        let g = try field(metabolism.glucose), l = try field(metabolism.lactate)
        var alive = 0.0, total = 0.0
        for c in try cells(region) where cellMaterial[g][c] >= 0 && cellMaterial[l][c] >= 0 {
            var cv = CellValues(cellType: mesh.cellType(c), degree: options.quadratureDegree)
            try cv.reinit(mesh: mesh, cell: c)
            let dofs = Array(dofMap.cellDofs(c))
            let rg = dofMap.localRange(cell: c, field: g).lowerBound, rl = dofMap.localRange(cell: c, field: l).lowerBound
            for q in 0..<cv.quadratureCount {
                var cg = 0.0, cl = 0.0
                for a in 0..<cv.basisCount { cg += cv.shape(q, a) * concentrations[dofs[rg + a]]; cl += cv.shape(q, a) * concentrations[dofs[rl + a]] }
                total += cv.jxw[q]
                if metabolism.isViable(glucose: cg, lactate: cl) { alive += cv.jxw[q] }
            }
        }
        return total > 0 ? alive / total : .nan
    }

    private func integrateField(_ f: Int, cell c: Int, _ g: (Double, SIMD3<Double>) -> Double) throws -> Double {
        var cv = CellValues(cellType: mesh.cellType(c), degree: options.quadratureDegree)
        try cv.reinit(mesh: mesh, cell: c)
        let dofs = Array(dofMap.cellDofs(c))
        let r0 = dofMap.localRange(cell: c, field: f).lowerBound
        var total = 0.0
        for q in 0..<cv.quadratureCount {
            var v = 0.0
            for a in 0..<cv.basisCount { v += cv.shape(q, a) * concentrations[dofs[r0 + a]] }
            total += cv.jxw[q] * g(v, cv.points[q])
        }
        return total
    }
}

/// Per-thread ``CellScratch`` workspaces for residual-only assemblies, whose kernels get
/// none from the assembler: a kernel borrows one for the duration of a cell.
private final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [CellScratch] = []

    func withScratch<R>(_ body: (CellScratch) throws -> R) rethrows -> R {
        lock.lock()
        let scratch = free.popLast() ?? CellScratch()
        lock.unlock()
        defer { lock.lock(); free.append(scratch); lock.unlock() }
        return try body(scratch)
    }
}

/// The transport equations at one time step as a ``GeneralNonlinearSystem`` over the free
/// equations (Dirichlet values are held in the problem's concentrations).
private final class TransportNewtonSystem: GeneralNonlinearSystem {
    unowned let problem: SoluteTransportProblem
    let timeStep: Double
    /// Whether the last evaluation also produced the constrained dofs' residuals.
    private(set) var lastEvaluationHadOutputs = false

    init(problem: SoluteTransportProblem, timeStep: Double) {
        self.problem = problem
        self.timeStep = timeStep
    }

    var unknownCount: Int { problem.equationCount }
    var hasConstantTangent: Bool { problem.reactions.isEmpty }
    func tangentPattern() -> CSRMatrix { problem.tangentPattern }

    func evaluate(_ x: [Double], residual: inout [Double], tangent: inout CSRMatrix?) throws {
        let withMatrix = tangent != nil
        try problem.evaluateForNewton(x, timeStep: timeStep, residual: &residual, tangent: &tangent)
        lastEvaluationHadOutputs = !withMatrix
    }

    func updateIsConverged(step: [Double], x: [Double]) -> Bool {
        var dmax = 0.0, xmax = 1e-300
        for e in 0..<step.count { dmax = max(dmax, abs(step[e])); xmax = max(xmax, abs(x[e])) }
        return dmax <= problem.options.relativeTolerance * xmax
    }
}
