import Foundation
import Biomechanics
import FiniteElements
import SparseLinearAlgebra

extension SolidSimulation {
    /// The mechanical state at one reference point of a cell.
    struct PointState {
        var displacement: SIMD3<Double>
        /// Cauchy stress (MPa).
        var cauchy: SymmetricTensor
        /// First Piola–Kirchhoff stress (MPa; = σ at small strain).
        var piola: Tensor3
        /// Volume ratio.
        var J: Double
    }

    /// Displacement, stresses and J at reference point `xi` of cell `c` for the full displacement `u` (mm).
    func pointState(cell c: Int, reference xi: SIMD3<Double>, displacement u: [Double]) throws -> PointState {
        let type = mesh.cellType(c)
        let n = type.nodeCount
        var values = [Double](repeating: 0, count: n), ref = [Double](repeating: 0, count: 3 * n)
        values.withUnsafeMutableBufferPointer { v in ref.withUnsafeMutableBufferPointer { g in type.evaluate(at: xi, values: v.baseAddress, gradients: g.baseAddress) } }
        let jac = ref.withUnsafeBufferPointer { mesh.jacobian(cell: c, referenceGradients: $0.baseAddress!) }
        let (r0, r1, r2) = jac.inverseRows()
        var grads = [Double](repeating: 0, count: 3 * n), ue = [Double](repeating: 0, count: 3 * n)
        var disp = SIMD3<Double>.zero
        for (a, node) in mesh.cellNodes(c).enumerated() {
            let gr = SIMD3(ref[3 * a], ref[3 * a + 1], ref[3 * a + 2])
            let g = gr.x * r0 + gr.y * r1 + gr.z * r2
            grads[3 * a] = g.x; grads[3 * a + 1] = g.y; grads[3 * a + 2] = g.z
            for i in 0..<3 { ue[3 * a + i] = u[3 * node + i] }
            let w: Double = values[a]
            disp += w * SIMD3<Double>(u[3 * node], u[3 * node + 1], u[3 * node + 2])
        }
        return try pointState(cell: c, gradients: grads, cellDisplacement: ue, displacement: disp)
    }

    func pointState(cell c: Int, gradients: [Double], cellDisplacement ue: [Double], displacement: SIMD3<Double>) throws -> PointState {
        let n = ue.count / 3
        let m = problem.cellMaterials[c]
        var h = Tensor3((0, 0, 0), (0, 0, 0), (0, 0, 0))
        for a in 0..<n { for i in 0..<3 { for j in 0..<3 { h[i, j] += ue[3 * a + i] * gradients[3 * a + j] } } }
        let (sigma, jr) = try gradients.withUnsafeBufferPointer { g in try ue.withUnsafeBufferPointer { up in
            try SolidKernel.pointStress(nodeCount: n, gradients: g, displacement: up, material: m.law, axes: m.axes, finiteStrain: problem.finiteStrain)
        } }
        var piola = Tensor3((sigma[0, 0], sigma[0, 1], sigma[0, 2]), (sigma[1, 0], sigma[1, 1], sigma[1, 2]), (sigma[2, 0], sigma[2, 1], sigma[2, 2]))
        if problem.finiteStrain {
            // P = J σ F⁻ᵀ
            var f = h
            for i in 0..<3 { f[i, i] += 1 }
            let s = try m.law.secondPiolaKirchhoff(deformationGradient: f, axes: m.axes).stress
            var p = Tensor3((0, 0, 0), (0, 0, 0), (0, 0, 0))
            for i in 0..<3 { for j in 0..<3 { p[i, j] = f[i, 0] * s[0, j] + f[i, 1] * s[1, j] + f[i, 2] * s[2, j] } }
            piola = p
        }
        return PointState(displacement: displacement, cauchy: sigma, piola: piola, J: jr)
    }

    static func value(of field: SolidField, _ s: PointState) -> Double {
        switch field {
        case .ux: return s.displacement.x
        case .uy: return s.displacement.y
        case .uz: return s.displacement.z
        case .displacement: return (s.displacement * s.displacement).sum().squareRoot()
        case .sxx: return s.cauchy[0, 0]
        case .syy: return s.cauchy[1, 1]
        case .szz: return s.cauchy[2, 2]
        case .sxy: return s.cauchy[0, 1]
        case .syz: return s.cauchy[1, 2]
        case .sxz: return s.cauchy[0, 2]
        case .vonMises: return s.cauchy.vonMises
        case .J: return s.J
        }
    }

    /// Runs every step, recording outputs at the requested times and writing
    /// `results.json`, `results.csv` and (if asked) `vtu/*.vtu` + `results.pvd` into `outputDirectory`.
    ///
    /// - Parameter progress: called after every accepted step with the fraction of
    ///   the total time done and the time (s).
    /// - Throws: ``ModelError`` of kind `.file` for I/O; the stepper's and Newton's errors.
    @discardableResult
    public func run(outputDirectory: URL? = nil, progress: (Double, Double) -> Void = { _, _ in }) throws -> SimulationResults {
        let outputs = model.outputs
        var results = SimulationResults()
        results.probes = outputs.probes.map { p in
            TimeSeries(name: p.name, quantity: p.field, unit: SolidField(rawValue: p.field)!.unit, components: ["value"], values: [],
                       source: ["at": .array([.number(p.at.x), .number(p.at.y), .number(p.at.z)])])
        }
        results.surfaces = outputs.surfaces.map { s in
            TimeSeries(name: s.name, quantity: s.quantity, unit: s.quantity == "area" ? "mm²" : "N",
                       components: s.quantity == "area" ? ["value"] : ["x", "y", "z"], values: [], source: ["surface": .string(s.surface)])
        }
        results.regions = outputs.regions.map { r in
            TimeSeries(name: r.name, quantity: r.quantity, unit: r.quantity == "volume" ? "mm³" : SolidField(rawValue: r.quantity)!.unit,
                       components: r.quantity == "volume" ? ["value"] : ["average", "min", "max"], values: [], source: ["region": .string(r.region)])
        }
        var vtuFiles: [(Double, String)] = []
        if let dir = outputDirectory {
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                if outputs.vtu { try FileManager.default.createDirectory(at: dir.appendingPathComponent("vtu"), withIntermediateDirectories: true) }
            } catch { throw ModelError(.file, at: dir.path, "cannot create the output directory: \(error.localizedDescription)") }
        }
        let endTime = model.steps.reduce(0) { $0 + $1.duration }
        let tolerance = 1e-9 * max(endTime, 1)
        var nextOutput = 0

        func record(_ t: Double, _ x: [Double]) throws {
            let u = problem.displacement(unknowns: x, time: t)
            results.times.append(t)
            for (k, p) in outputs.probes.enumerated() {
                let loc = probeLocations[k]
                let s = try pointState(cell: loc.cell, reference: loc.reference, displacement: u)
                results.probes[k].values.append([Self.value(of: SolidField(rawValue: p.field)!, s)])
            }
            var reactions: [Double]? = nil
            for (k, s) in outputs.surfaces.enumerated() {
                switch s.quantity {
                case "area": results.surfaces[k].values.append([try mesh.surfaceArea(s.surface)])
                case "reactionForce":
                    if reactions == nil {
                        let fint = try problem.internalForces(displacement: u), fext = problem.externalForces(time: t)
                        reactions = zip(fint, fext).map { $0 - $1 }
                    }
                    var f = SIMD3<Double>.zero
                    for node in try mesh.nodes(ofSurface: s.surface) { f += SIMD3(reactions![3 * node], reactions![3 * node + 1], reactions![3 * node + 2]) }
                    results.surfaces[k].values.append([f.x, f.y, f.z])
                default: // tractionIntegral: ∫ P·N dA₀ over the reference surface.
                    let f = try tractionIntegral(surface: s.surface, displacement: u)
                    results.surfaces[k].values.append([f.x, f.y, f.z])
                }
            }
            for (k, r) in outputs.regions.enumerated() {
                results.regions[k].values.append(try regionStatistics(region: r.region, quantity: r.quantity, displacement: u))
            }
            if outputs.vtu {
                let (point, cell) = try vtuFields(displacement: u)
                if results.fields == nil { results.fields = FieldFrames(mesh: mesh) }
                results.fields!.frames.append(.init(time: t, pointData: point, cellData: cell))
                if let dir = outputDirectory {
                    let name = String(format: "vtu/state_%04d.vtu", vtuFiles.count)
                    let url = dir.appendingPathComponent(name)
                    do { try VTUWriter.write(mesh: mesh, pointData: point, cellData: cell, to: url.path) } catch {
                        throw ModelError(.file, at: url.path, String(describing: error))
                    }
                    vtuFiles.append((t, name))
                }
            }
        }

        let newton = NewtonSolver()
        var state = [Double](repeating: 0, count: problem.unknownCount)
        do {
        try newton.solve(StaticEquilibrium(problem, time: 0), x: &state)
        newton.options.referenceNorm = newton.lastReport.residualNorms.first ?? 0
        if let first = outputs.times.first, abs(first) <= tolerance { try record(0, state); nextOutput = 1 }
        var must = outputs.times
        for curve in model.curves.values { must += curve.mustPoints }
        var start = 0.0
        for (stepIndex, step) in model.steps.enumerated() {
            let options = try TimeStepperOptions(initialStep: step.initialStep, minStep: step.minStep, maxStep: step.maxStep)
            let stepper = AdaptiveTimeStepper(options: options, newton: newton)
            try stepper.run(problem, from: start, to: start + step.duration, state: &state, mustPoints: must) { accepted, x in
                results.steps.append(accepted)
                newton.options.referenceNorm = max(newton.options.referenceNorm, newton.lastReport.residualNorms.first ?? 0)
                while nextOutput < outputs.times.count, outputs.times[nextOutput] <= accepted.time + tolerance {
                    if abs(outputs.times[nextOutput] - accepted.time) <= tolerance { try record(accepted.time, x) }
                    nextOutput += 1
                }
                progress(min(accepted.time / endTime, 1), accepted.time)
                try incrementObserver?(stepIndex, accepted.time, accepted.iterations)
            }
            start += step.duration
        }
        } catch {
            results.isComplete = false
            results.statistics = newton.statistics
            if error is CancellationError { throw SimulationCancelled(partial: results) }
            throw error
        }
        results.statistics = newton.statistics
        if let w = PlausibilityRule.smallStrainResult(model: model, mesh: mesh, displacement: problem.displacement(unknowns: state, time: endTime)) {
            results.notices.append(w.description)
        }
        if let dir = outputDirectory {
            let doc = results.json(nodeCount: mesh.nodeCount, cellCount: mesh.cellCount, unknowns: unknownCount)
            try writeResultFiles(document: doc, results: results, vtuFiles: outputs.vtu ? vtuFiles : nil, into: dir)
        }
        return results
    }

    func write(_ text: String, to url: URL) throws { try writeText(text, to: url) }

    /// ∫ P·N dA₀ (N) over a reference surface.
    func tractionIntegral(surface: String, displacement u: [Double]) throws -> SIMD3<Double> {
        var total = SIMD3<Double>.zero
        var cache: [FaceType: FaceValues] = [:]
        for face in try mesh.faces(ofSurface: surface) {
            let t = mesh.faceType(face)
            if cache[t] == nil { cache[t] = FaceValues(faceType: t) }
            try cache[t]!.reinit(mesh: mesh, face: face)
            let fv = cache[t]!
            let cellType = mesh.cellType(face.cell)
            for q in 0..<fv.quadratureCount {
                let s = fv.table.rule.points[q]
                let xi = cellType.cellPoint(onFace: face.face, at: SIMD2(s.x, s.y))
                let state = try pointState(cell: face.cell, reference: xi, displacement: u)
                let n = fv.normals[q]
                for i in 0..<3 { total[i] += (state.piola[i, 0] * n.x + state.piola[i, 1] * n.y + state.piola[i, 2] * n.z) * fv.jxw[q] }
            }
        }
        return total
    }

    /// Average (volume-weighted), min and max over the quadrature points of a
    /// region, or its current volume (mm³) for `volume`.
    func regionStatistics(region: String, quantity: String, displacement u: [Double]) throws -> [Double] {
        var sum = 0.0, volume = 0.0, lo = Double.infinity, hi = -Double.infinity, deformed = 0.0
        let field = SolidField(rawValue: quantity)
        var cache: [CellType: CellValues] = [:]
        for c in try mesh.cells(inRegion: region) {
            let t = mesh.cellType(c)
            if cache[t] == nil { cache[t] = CellValues(cellType: t) }
            try cache[t]!.reinit(mesh: mesh, cell: c)
            let cv = cache[t]!
            let nodes = Array(mesh.cellNodes(c)), n = nodes.count
            let ue = nodes.flatMap { node in (0..<3).map { u[3 * node + $0] } }
            for q in 0..<cv.quadratureCount {
                var d = SIMD3<Double>.zero
                for a in 0..<n {
                    let w: Double = cv.values[q * n + a]
                    d += w * SIMD3<Double>(ue[3 * a], ue[3 * a + 1], ue[3 * a + 2])
                }
                let g = Array(cv.gradients[(q * n * 3)..<((q + 1) * n * 3)])
                let s = try pointState(cell: c, gradients: g, cellDisplacement: ue, displacement: d)
                deformed += s.J * cv.jxw[q]
                if let field {
                    let v = Self.value(of: field, s)
                    sum += v * cv.jxw[q]; lo = min(lo, v); hi = max(hi, v)
                }
                volume += cv.jxw[q]
            }
        }
        return field == nil ? [deformed] : [sum / volume, lo, hi]
    }
}
