// glibc's malloc tuning (mallopt), which Swift's Glibc module does not expose. Only the CLI's training path uses it.
#include <malloc.h>
