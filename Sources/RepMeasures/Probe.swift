import RepMath
