public let repMathProbe = 1
