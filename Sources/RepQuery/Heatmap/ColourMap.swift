/// A sequential colour map: evenly spaced anchor colours, interpolated linearly in sRGB between neighbours.
///
/// Anchors rather than a formula because published perceptual maps are tables; 16 to 32 anchors reproduce a
/// 256-entry table to within a few 8-bit steps, and an SVG gradient with the same stops draws the same map.
public struct ColourMap: Sendable {
  /// The colours at positions 0, 1/(n−1), …, 1.
  public let anchors: [Colour]

  /// A map through `anchors`, first at position 0 and last at 1. Fewer than two anchors is a programmer error and traps.
  public init(anchors: [Colour]) {
    precondition(anchors.count >= 2, "a colour map needs at least two anchors")
    self.anchors = anchors
  }

  /// The colour at `position`, clamped to 0...1. A NaN position is a programmer error and traps: undefined cells
  /// are drawn apart, never looked up.
  public func colour(at position: Double) -> Colour {
    precondition(!position.isNaN, "a colour map has no colour for NaN")
    let scaled = min(max(position, 0), 1) * Double(anchors.count - 1)
    let index = min(Int(scaled), anchors.count - 2)
    let fraction = scaled - Double(index)
    let (a, b) = (anchors[index], anchors[index + 1])
    return Colour(
      red: a.red + (b.red - a.red) * fraction, green: a.green + (b.green - a.green) * fraction,
      blue: a.blue + (b.blue - a.blue) * fraction)
  }

  /// Viridis (van der Walt and Smith, matplotlib 1.5, 2015): dark purple through teal to yellow, perceptually uniform
  /// in CAM02-UCS, lightness increasing throughout, readable with the common colour-vision deficiencies and in grey.
  /// The 18 anchors are entries 0, 15, 30, …, 255 of the published 256-entry table; between them linear
  /// interpolation stays within 5 of 255 of the table in every channel.
  public static let viridis = ColourMap(
    anchors: [
      0x440154, 0x481769, 0x472a7a, 0x433d84, 0x3d4e8a, 0x355e8d, 0x2e6d8e, 0x297b8e, 0x23898e,
      0x1f978b, 0x21a585, 0x2eb37c, 0x46c06f, 0x65cb5e, 0x89d548, 0xb0dd2f, 0xd8e219, 0xfde725,
    ].map(Colour.init(hex:)))
}
