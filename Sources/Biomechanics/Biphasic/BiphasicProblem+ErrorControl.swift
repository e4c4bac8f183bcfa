import FiniteElements

extension BiphasicProblem {
    /// The field of each unknown for an error-controlled step (``FiniteElements/ErrorControlOptions``):
    /// 0 displacement (mm; tied components included), 1 fluid pressure (MPa), 2 the rigid
    /// vertebrae's translations and rotation vectors (mm and rad). Call after ``prepare()``.
    public func errorFields() -> [Int] {
        guard let numbering else { return [] }
        var fieldOfDof = [Int](repeating: 0, count: dofMap.dofCount)
        for node in dofMap.nodes(ofField: 1) { if let d = pressureDof(node: node) { fieldOfDof[d] = 1 } }
        let eqField = numbering.dofOfEquation.map { fieldOfDof[$0] }
        if let rigid = rigidCoupling {
            var out = [Int](repeating: 2, count: rigid.reducedCount)
            for (e, t) in rigid.target.enumerated() where t >= 0 { out[Int(t)] = eqField[e] }
            return out
        }
        if let c = condensation {
            var out = [Int](repeating: 0, count: c.reducedCount)
            for (e, list) in c.map.enumerated() { for entry in list { out[entry.index] = eqField[e] } }
            return out
        }
        return eqField
    }
}
