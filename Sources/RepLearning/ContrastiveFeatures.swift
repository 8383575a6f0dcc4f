import RepMath

/// A contrastive batch: `classCount` anchor groups (B), each seen in `viewCount` views (V), each view a vector of
/// `featureCount` (D) Float64 values; the `[B, V, D]` tensor that ContraSim's losses take, and the shape of their
/// gradients.
///
/// Element (b, v, k) is `values[(b · V + v) · D + k]`: class-major, then view, then feature, as PyTorch lays out a
/// contiguous `[B, V, D]` tensor. Trailing dimensions of a larger tensor flatten into D unchanged, so a `[B, V, n, 128]`
/// tensor (layer prediction) is a batch with D = n·128 in the same element order.
/// The losses stack the views view-major (row r = v·B + b, spec §3.2), which `viewMajorRows()` produces.
///
/// ## Topics
/// - Creating: `init(classCount:viewCount:featureCount:values:)`, `init(views:)`
/// - Elements: `subscript(class:view:feature:)`, `values`, `view(_:)`
public struct ContrastiveFeatures: Sendable, Equatable {
  /// B, the number of classes (anchor groups: layers, sentences, image–caption pairs).
  public var classCount: Int
  /// V, the number of views of each class (models, languages, modalities).
  public var viewCount: Int
  /// D, the length of one view's feature vector.
  public var featureCount: Int
  /// The elements, class-major then view then feature; `values.count == B · V · D` whenever the batch is used.
  public var values: [Double]

  /// Creates a batch from its elements in `[B, V, D]` order.
  ///
  /// - Precondition: the counts are not negative and `values.count == classCount · viewCount · featureCount`.
  public init(classCount: Int, viewCount: Int, featureCount: Int, values: [Double]) {
    precondition(classCount >= 0 && viewCount >= 0 && featureCount >= 0,
                 "ContrastiveFeatures: negative shape [\(classCount), \(viewCount), \(featureCount)]")
    precondition(values.count == classCount * viewCount * featureCount,
                 "ContrastiveFeatures: \(values.count) values for shape [\(classCount), \(viewCount), \(featureCount)]")
    self.classCount = classCount
    self.viewCount = viewCount
    self.featureCount = featureCount
    self.values = values
  }

  /// Creates a batch from one B×D matrix per view, row b of `views[v]` being class b seen in view v: the way encoder
  /// outputs arrive (one matrix of images, one of captions).
  ///
  /// - Precondition: every view has the same shape.
  public init(views: [DoubleMatrix]) {
    let rows = views.first?.rows ?? 0
    let columns = views.first?.columns ?? 0
    precondition(views.allSatisfy { $0.rows == rows && $0.columns == columns },
                 "ContrastiveFeatures: views of different shapes \(views.map { "\($0.rows)×\($0.columns)" })")
    var values = [Double](repeating: 0, count: rows * views.count * columns)
    for (v, view) in views.enumerated() {
      for b in 0 ..< rows {
        let target = (b * views.count + v) * columns
        values[target ..< target + columns] = view.storage[b * columns ..< (b + 1) * columns]
      }
    }
    self.init(classCount: rows, viewCount: views.count, featureCount: columns, values: values)
  }

  /// Element k of class b in view v.
  ///
  /// - Precondition: each index is in range.
  public subscript(class b: Int, view v: Int, feature k: Int) -> Double {
    get { values[index(class: b, view: v, feature: k)] }
    set { values[index(class: b, view: v, feature: k)] = newValue }
  }

  /// View v of every class, a B×D matrix (row b is class b): the gradient an encoder's backward pass takes for the
  /// inputs it encoded as view v.
  ///
  /// - Precondition: `0 <= v < viewCount`.
  public func view(_ v: Int) -> DoubleMatrix {
    precondition(v >= 0 && v < viewCount, "ContrastiveFeatures: view \(v) outside 0..<\(viewCount)")
    var matrix = DoubleMatrix(rows: classCount, columns: featureCount)
    for b in 0 ..< classCount {
      let source = (b * viewCount + v) * featureCount
      matrix.storage[b * featureCount ..< (b + 1) * featureCount] = values[source ..< source + featureCount]
    }
    return matrix
  }

  /// Z, the (V·B)×D matrix of all views stacked view-major: row r = v·B + b holds class b in view v (spec §3.2).
  func viewMajorRows() -> DoubleMatrix {
    var z = DoubleMatrix(rows: viewCount * classCount, columns: featureCount)
    for v in 0 ..< viewCount {
      for b in 0 ..< classCount {
        let source = (b * viewCount + v) * featureCount
        let target = (v * classCount + b) * featureCount
        z.storage[target ..< target + featureCount] = values[source ..< source + featureCount]
      }
    }
    return z
  }

  /// The batch whose view-major stacking is `rows`: the inverse of `viewMajorRows()`, used to return gradients in the
  /// caller's layout.
  ///
  /// - Precondition: `rows.rows` is a multiple of `classCount`.
  init(viewMajorRows rows: DoubleMatrix, classCount: Int) {
    precondition(classCount > 0 && rows.rows % classCount == 0,
                 "ContrastiveFeatures: \(rows.rows) rows do not stack \(classCount) classes")
    let viewCount = rows.rows / classCount
    let featureCount = rows.columns
    var values = [Double](repeating: 0, count: rows.storage.count)
    for v in 0 ..< viewCount {
      for b in 0 ..< classCount {
        let source = (v * classCount + b) * featureCount
        let target = (b * viewCount + v) * featureCount
        values[target ..< target + featureCount] = rows.storage[source ..< source + featureCount]
      }
    }
    self.init(classCount: classCount, viewCount: viewCount, featureCount: featureCount, values: values)
  }

  private func index(class b: Int, view v: Int, feature k: Int) -> Int {
    precondition(b >= 0 && b < classCount && v >= 0 && v < viewCount && k >= 0 && k < featureCount,
                 "ContrastiveFeatures: index (\(b), \(v), \(k)) outside [\(classCount), \(viewCount), \(featureCount)]")
    return (b * viewCount + v) * featureCount + k
  }
}
