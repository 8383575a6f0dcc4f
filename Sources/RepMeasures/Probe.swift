import RepMath
public let repMeasuresProbe = repMathProbe
