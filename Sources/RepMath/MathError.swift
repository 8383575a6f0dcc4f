/// Why a RepMath computation could not produce a result: the only error RepMath throws.
///
/// Errors are about the data, never about our calls: a bad argument to BLAS or LAPACK is a programmer error and traps
/// instead. `description` is one line that the command-line tool prints as is, starting with the LAPACK routine:
///
///     dpotrf: the matrix is not positive definite (leading minor of order 3 is not positive)
public enum MathError: Error, CustomStringConvertible, Sendable, Equatable {
  /// A LAPACK routine returned `info > 0`: the data defeated it (no convergence, not positive definite).
  /// `routine` is the LAPACK name (`dsyevd`, `dgesdd`, `dpotrf`, …), `info` its positive status code, whose meaning
  /// is on the routine's LAPACK page.
  case lapack(routine: String, info: Int)
  /// The matrix given to `routine` has a NaN or infinite element; LAPACK's results would be meaningless, so it was
  /// not called.
  case nonFinite(routine: String)

  /// One line: the routine, what went wrong, and LAPACK's status code.
  public var description: String {
    switch self {
    case .lapack(let routine, let info):
      switch routine {
      case "dsyevd", "ssyevd":
        return "\(routine): the eigenvalue algorithm failed to converge (info \(info))"
      case "dgesdd", "sgesdd":
        return "\(routine): the singular value decomposition failed to converge (info \(info))"
      case "dpotrf", "spotrf":
        return "\(routine): the matrix is not positive definite (leading minor of order \(info) is not positive)"
      default:
        return "\(routine): failed with info \(info)"
      }
    case .nonFinite(let routine):
      return "\(routine): the input matrix has a NaN or infinite element, expected finite values"
    }
  }
}
