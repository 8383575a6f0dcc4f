// zlib, for raw-deflate members of .npz archives and their CRC-32. Only RepFormats/Zip imports this module.
#include <zlib.h>

// inflateInit2 is a macro in zlib.h; Swift cannot call macros, so wrap it.
static inline int czlib_inflate_init_raw(z_stream *stream) {
  return inflateInit2(stream, -15);
}
