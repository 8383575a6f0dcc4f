// glibc's malloc tuning (mallopt), which Swift's Glibc module does not expose. Only training uses it (RepLearning's
// TrainingMemory).
#include <malloc.h>
