//===- Npy.cpp - NumPy .npy files -------------------------------*- C++ -*-===//
//
// A strict .npy reader and an atomic writer.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace actrun;

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

int64_t NpyArray::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

static size_t getItemSize(llvm::StringRef descr) {
  if (descr.size() < 3)
    return 0;
  unsigned size = 0;
  if (descr.drop_front(2).getAsInteger(10, size))
    return 0;
  return size;
}

/// The value of `key` in the header dictionary, up to the next `,` or `}`
/// at depth 0.
static std::optional<llvm::StringRef> findValue(llvm::StringRef header,
                                                llvm::StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t at = header.find(quoted);
  if (at == llvm::StringRef::npos)
    return std::nullopt;
  llvm::StringRef rest = header.drop_front(at + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  int depth = 0;
  size_t end = 0;
  for (; end < rest.size(); ++end) {
    char c = rest[end];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
  }
  return rest.take_front(end).trim();
}

llvm::Expected<NpyArray> actrun::readNpy(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail("cannot read '" + path + "': " + buffer.getError().message());
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return fail("'" + path + "' is not a .npy file");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   static_cast<unsigned char>(bytes[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail("'" + path + "' is truncated");
    headerLength = 0;
    for (int i = 0; i < 4; ++i)
      headerLength |=
          static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i]))
          << (8 * i);
    headerStart = 12;
  } else {
    return fail("'" + path + "' has unsupported .npy version " +
                llvm::Twine(major));
  }
  if (bytes.size() < headerStart + headerLength)
    return fail("'" + path + "' is truncated");
  llvm::StringRef header = bytes.substr(headerStart, headerLength);

  NpyArray array;
  auto descr = findValue(header, "descr");
  auto fortran = findValue(header, "fortran_order");
  auto shape = findValue(header, "shape");
  if (!descr || !fortran || !shape)
    return fail("'" + path + "' has a malformed .npy header");
  llvm::StringRef d = *descr;
  if (!d.consume_front("'") || !d.consume_back("'"))
    return fail("'" + path + "' has a malformed .npy header");
  array.descr = d.str();
  if (*fortran != "False")
    return fail("'" + path + "' is in Fortran order; act-run reads C order");
  llvm::StringRef dims = *shape;
  if (!dims.consume_front("(") || !dims.consume_back(")"))
    return fail("'" + path + "' has a malformed shape");
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef part : parts) {
    int64_t dim;
    if (part.trim().getAsInteger(10, dim) || dim < 0)
      return fail("'" + path + "' has a malformed shape");
    array.shape.push_back(dim);
  }
  size_t itemSize = getItemSize(array.descr);
  if (!itemSize)
    return fail("'" + path + "' has unsupported dtype '" + array.descr + "'");
  // The element count and byte size, refusing shapes whose product
  // overflows (the file could never hold them).
  int64_t n = 1;
  uint64_t expected = itemSize;
  for (int64_t d : array.shape)
    if (__builtin_mul_overflow(n, d, &n) ||
        __builtin_mul_overflow(expected, static_cast<uint64_t>(d), &expected))
      return fail("'" + path + "' has a shape too large to hold");
  if (array.shape.empty())
    expected = itemSize;
  size_t available = bytes.size() - headerStart - headerLength;
  if (available < expected)
    return fail("'" + path + "' is truncated: " + llvm::Twine(available) +
                " data bytes for " + llvm::Twine(n) + " elements of '" +
                array.descr + "'");
  if (available > expected)
    return fail("'" + path + "' has " + llvm::Twine(available - expected) +
                " bytes after its data");
  const char *data = bytes.data() + headerStart + headerLength;
  array.data.assign(data, data + expected);
  return array;
}

llvm::Error actrun::writeNpy(llvm::StringRef path, llvm::StringRef descr,
                             llvm::ArrayRef<int64_t> shape, const void *data,
                             size_t bytes) {
  std::string dict =
      "{'descr': '" + descr.str() + "', 'fortran_order': False, 'shape': (";
  for (int64_t d : shape)
    dict += std::to_string(d) + ", ";
  // (5,) for one dimension, (3, 4) for more.
  if (!shape.empty())
    dict.erase(dict.size() - (shape.size() == 1 ? 1 : 2));
  dict += "), }";
  // Pad with spaces to a multiple of 64 bytes, newline last.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';

  llvm::SmallString<256> temp;
  int fd;
  llvm::SmallString<256> model(path);
  model += ".tmp-%%%%%%";
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(model, fd, temp))
    return fail("cannot write '" + path + "': " + ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os.write("\x93NUMPY\x01\x00", 8);
    uint16_t length = static_cast<uint16_t>(dict.size());
    char le[2] = {static_cast<char>(length & 0xff),
                  static_cast<char>(length >> 8)};
    os.write(le, 2);
    os << dict;
    os.write(static_cast<const char *>(data), bytes);
    os.close();
    if (os.has_error()) {
      os.clear_error();
      llvm::sys::fs::remove(temp);
      return fail("cannot write '" + path + "'");
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return fail("cannot write '" + path + "': " + ec.message());
  }
  return llvm::Error::success();
}
