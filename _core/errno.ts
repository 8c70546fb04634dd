// Linux errno values and their strerror texts, as CPython reports them.

/** `errno.EPERM`: Operation not permitted. */
export const EPERM = 1;
/** `errno.ENOENT`: No such file or directory. */
export const ENOENT = 2;
/** `errno.EINTR`: Interrupted system call. */
export const EINTR = 4;
/** `errno.EIO`: Input/output error. */
export const EIO = 5;
/** `errno.EBADF`: Bad file descriptor. */
export const EBADF = 9;
/** `errno.EAGAIN`: Resource temporarily unavailable. */
export const EAGAIN = 11;
/** `errno.ENOMEM`: Cannot allocate memory. */
export const ENOMEM = 12;
/** `errno.EACCES`: Permission denied. */
export const EACCES = 13;
/** `errno.EFAULT`: Bad address. */
export const EFAULT = 14;
/** `errno.EBUSY`: Device or resource busy. */
export const EBUSY = 16;
/** `errno.EEXIST`: File exists. */
export const EEXIST = 17;
/** `errno.ENODEV`: No such device. */
export const ENODEV = 19;
/** `errno.ENOTDIR`: Not a directory. */
export const ENOTDIR = 20;
/** `errno.EISDIR`: Is a directory. */
export const EISDIR = 21;
/** `errno.EINVAL`: Invalid argument. */
export const EINVAL = 22;
/** `errno.ENFILE`: Too many open files in system. */
export const ENFILE = 23;
/** `errno.EMFILE`: Too many open files. */
export const EMFILE = 24;
/** `errno.ENOSPC`: No space left on device. */
export const ENOSPC = 28;
/** `errno.EPIPE`: Broken pipe. */
export const EPIPE = 32;
/** `errno.ERANGE`: Numerical result out of range. */
export const ERANGE = 34;
/** `errno.ENAMETOOLONG`: File name too long. */
export const ENAMETOOLONG = 36;
/** `errno.ENOSYS`: Function not implemented. */
export const ENOSYS = 38;
/** `errno.ENOTSOCK`: Socket operation on non-socket. */
export const ENOTSOCK = 88;
/** `errno.EDESTADDRREQ`: Destination address required. */
export const EDESTADDRREQ = 89;
/** `errno.EMSGSIZE`: Message too long. */
export const EMSGSIZE = 90;
/** `errno.EPROTOTYPE`: Protocol wrong type for socket. */
export const EPROTOTYPE = 91;
/** `errno.ENOPROTOOPT`: Protocol not available. */
export const ENOPROTOOPT = 92;
/** `errno.EPROTONOSUPPORT`: Protocol not supported. */
export const EPROTONOSUPPORT = 93;
/** `errno.ESOCKTNOSUPPORT`: Socket type not supported. */
export const ESOCKTNOSUPPORT = 94;
/** `errno.EOPNOTSUPP`: Operation not supported. */
export const EOPNOTSUPP = 95;
/** `errno.EPFNOSUPPORT`: Protocol family not supported. */
export const EPFNOSUPPORT = 96;
/** `errno.EAFNOSUPPORT`: Address family not supported by protocol. */
export const EAFNOSUPPORT = 97;
/** `errno.EADDRINUSE`: Address already in use. */
export const EADDRINUSE = 98;
/** `errno.EADDRNOTAVAIL`: Cannot assign requested address. */
export const EADDRNOTAVAIL = 99;
/** `errno.ENETDOWN`: Network is down. */
export const ENETDOWN = 100;
/** `errno.ENETUNREACH`: Network is unreachable. */
export const ENETUNREACH = 101;
/** `errno.ENETRESET`: Network dropped connection on reset. */
export const ENETRESET = 102;
/** `errno.ECONNABORTED`: Software caused connection abort. */
export const ECONNABORTED = 103;
/** `errno.ECONNRESET`: Connection reset by peer. */
export const ECONNRESET = 104;
/** `errno.ENOBUFS`: No buffer space available. */
export const ENOBUFS = 105;
/** `errno.EISCONN`: Transport endpoint is already connected. */
export const EISCONN = 106;
/** `errno.ENOTCONN`: Transport endpoint is not connected. */
export const ENOTCONN = 107;
/** `errno.ESHUTDOWN`: Cannot send after transport endpoint shutdown. */
export const ESHUTDOWN = 108;
/** `errno.ETIMEDOUT`: Connection timed out. */
export const ETIMEDOUT = 110;
/** `errno.ECONNREFUSED`: Connection refused. */
export const ECONNREFUSED = 111;
/** `errno.EHOSTDOWN`: Host is down. */
export const EHOSTDOWN = 112;
/** `errno.EHOSTUNREACH`: No route to host. */
export const EHOSTUNREACH = 113;
/** `errno.EALREADY`: Operation already in progress. */
export const EALREADY = 114;
/** `errno.EINPROGRESS`: Operation now in progress. */
export const EINPROGRESS = 115;

/** strerror() text for each errno value above. */
export const errorMessages: ReadonlyMap<number, string> = new Map([
  [1, "Operation not permitted"],
  [2, "No such file or directory"],
  [4, "Interrupted system call"],
  [5, "Input/output error"],
  [9, "Bad file descriptor"],
  [11, "Resource temporarily unavailable"],
  [12, "Cannot allocate memory"],
  [13, "Permission denied"],
  [14, "Bad address"],
  [16, "Device or resource busy"],
  [17, "File exists"],
  [19, "No such device"],
  [20, "Not a directory"],
  [21, "Is a directory"],
  [22, "Invalid argument"],
  [23, "Too many open files in system"],
  [24, "Too many open files"],
  [28, "No space left on device"],
  [32, "Broken pipe"],
  [34, "Numerical result out of range"],
  [36, "File name too long"],
  [38, "Function not implemented"],
  [88, "Socket operation on non-socket"],
  [89, "Destination address required"],
  [90, "Message too long"],
  [91, "Protocol wrong type for socket"],
  [92, "Protocol not available"],
  [93, "Protocol not supported"],
  [94, "Socket type not supported"],
  [95, "Operation not supported"],
  [96, "Protocol family not supported"],
  [97, "Address family not supported by protocol"],
  [98, "Address already in use"],
  [99, "Cannot assign requested address"],
  [100, "Network is down"],
  [101, "Network is unreachable"],
  [102, "Network dropped connection on reset"],
  [103, "Software caused connection abort"],
  [104, "Connection reset by peer"],
  [105, "No buffer space available"],
  [106, "Transport endpoint is already connected"],
  [107, "Transport endpoint is not connected"],
  [108, "Cannot send after transport endpoint shutdown"],
  [110, "Connection timed out"],
  [111, "Connection refused"],
  [112, "Host is down"],
  [113, "No route to host"],
  [114, "Operation already in progress"],
  [115, "Operation now in progress"],
]);

/** errno value for each errno name, for errors that carry a `code` such as `"ECONNREFUSED"`. */
export const errnoByName: ReadonlyMap<string, number> = new Map([
  ["EPERM", 1],
  ["ENOENT", 2],
  ["EINTR", 4],
  ["EIO", 5],
  ["EBADF", 9],
  ["EAGAIN", 11],
  ["ENOMEM", 12],
  ["EACCES", 13],
  ["EFAULT", 14],
  ["EBUSY", 16],
  ["EEXIST", 17],
  ["ENODEV", 19],
  ["ENOTDIR", 20],
  ["EISDIR", 21],
  ["EINVAL", 22],
  ["ENFILE", 23],
  ["EMFILE", 24],
  ["ENOSPC", 28],
  ["EPIPE", 32],
  ["ERANGE", 34],
  ["ENAMETOOLONG", 36],
  ["ENOSYS", 38],
  ["ENOTSOCK", 88],
  ["EDESTADDRREQ", 89],
  ["EMSGSIZE", 90],
  ["EPROTOTYPE", 91],
  ["ENOPROTOOPT", 92],
  ["EPROTONOSUPPORT", 93],
  ["ESOCKTNOSUPPORT", 94],
  ["EOPNOTSUPP", 95],
  ["EPFNOSUPPORT", 96],
  ["EAFNOSUPPORT", 97],
  ["EADDRINUSE", 98],
  ["EADDRNOTAVAIL", 99],
  ["ENETDOWN", 100],
  ["ENETUNREACH", 101],
  ["ENETRESET", 102],
  ["ECONNABORTED", 103],
  ["ECONNRESET", 104],
  ["ENOBUFS", 105],
  ["EISCONN", 106],
  ["ENOTCONN", 107],
  ["ESHUTDOWN", 108],
  ["ETIMEDOUT", 110],
  ["ECONNREFUSED", 111],
  ["EHOSTDOWN", 112],
  ["EHOSTUNREACH", 113],
  ["EALREADY", 114],
  ["EINPROGRESS", 115],
  ["EWOULDBLOCK", 11],
]);
