public let formatsProbe = 1
