import Foundation

/// An sRGB colour, components in 0...1: what a colour map returns and both the SVG and terminal renderers consume.
public struct Colour: Sendable, Equatable {
  public var red: Double
  public var green: Double
  public var blue: Double

  public init(red: Double, green: Double, blue: Double) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// A colour written as `0xRRGGBB`, the way colour tables are published.
  public init(hex: UInt32) {
    self.init(
      red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255, blue: Double(hex & 0xFF) / 255)
  }

  public static let black = Colour(red: 0, green: 0, blue: 0)
  public static let white = Colour(red: 1, green: 1, blue: 1)

  /// The components as 8-bit values, rounded: what `#rrggbb` and 24-bit terminal escapes carry.
  public var bytes: (red: UInt8, green: UInt8, blue: UInt8) {
    func byte(_ component: Double) -> UInt8 { UInt8((min(max(component, 0), 1) * 255).rounded()) }
    return (byte(red), byte(green), byte(blue))
  }

  /// `#rrggbb`, as SVG 1.1 and CSS spell a colour.
  public var hexString: String {
    let (r, g, b) = bytes
    return String(format: "#%02x%02x%02x", r, g, b)
  }

  /// Relative luminance as WCAG 2 defines it: 0.2126 R + 0.7152 G + 0.0722 B over linearised sRGB components;
  /// 0 for black, 1 for white.
  public var relativeLuminance: Double {
    func linear(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
  }

  /// Black or white, whichever has the larger WCAG contrast ratio against this colour: text drawn on it stays legible.
  public var contrastingText: Colour {
    let luminance = relativeLuminance
    // Contrast ratios (L₁ + 0.05) / (L₂ + 0.05) against black (L = 0) and white (L = 1).
    return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? .black : .white
  }
}
