// Linux errno values and their strerror texts, as CPython reports them: the one errno table of
// pynet, so that code everywhere names errnos (EBADF) instead of numbering them.

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
/** `errno.EWOULDBLOCK`: the same value as `EAGAIN` on Linux. */
export const EWOULDBLOCK = EAGAIN;
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
  [EPERM, "Operation not permitted"],
  [ENOENT, "No such file or directory"],
  [EINTR, "Interrupted system call"],
  [EIO, "Input/output error"],
  [EBADF, "Bad file descriptor"],
  [EAGAIN, "Resource temporarily unavailable"],
  [ENOMEM, "Cannot allocate memory"],
  [EACCES, "Permission denied"],
  [EFAULT, "Bad address"],
  [EBUSY, "Device or resource busy"],
  [EEXIST, "File exists"],
  [ENODEV, "No such device"],
  [ENOTDIR, "Not a directory"],
  [EISDIR, "Is a directory"],
  [EINVAL, "Invalid argument"],
  [ENFILE, "Too many open files in system"],
  [EMFILE, "Too many open files"],
  [ENOSPC, "No space left on device"],
  [EPIPE, "Broken pipe"],
  [ERANGE, "Numerical result out of range"],
  [ENAMETOOLONG, "File name too long"],
  [ENOSYS, "Function not implemented"],
  [ENOTSOCK, "Socket operation on non-socket"],
  [EDESTADDRREQ, "Destination address required"],
  [EMSGSIZE, "Message too long"],
  [EPROTOTYPE, "Protocol wrong type for socket"],
  [ENOPROTOOPT, "Protocol not available"],
  [EPROTONOSUPPORT, "Protocol not supported"],
  [ESOCKTNOSUPPORT, "Socket type not supported"],
  [EOPNOTSUPP, "Operation not supported"],
  [EPFNOSUPPORT, "Protocol family not supported"],
  [EAFNOSUPPORT, "Address family not supported by protocol"],
  [EADDRINUSE, "Address already in use"],
  [EADDRNOTAVAIL, "Cannot assign requested address"],
  [ENETDOWN, "Network is down"],
  [ENETUNREACH, "Network is unreachable"],
  [ENETRESET, "Network dropped connection on reset"],
  [ECONNABORTED, "Software caused connection abort"],
  [ECONNRESET, "Connection reset by peer"],
  [ENOBUFS, "No buffer space available"],
  [EISCONN, "Transport endpoint is already connected"],
  [ENOTCONN, "Transport endpoint is not connected"],
  [ESHUTDOWN, "Cannot send after transport endpoint shutdown"],
  [ETIMEDOUT, "Connection timed out"],
  [ECONNREFUSED, "Connection refused"],
  [EHOSTDOWN, "Host is down"],
  [EHOSTUNREACH, "No route to host"],
  [EALREADY, "Operation already in progress"],
  [EINPROGRESS, "Operation now in progress"],
]);

/** errno value for each errno name, for errors that carry a `code` such as `"ECONNREFUSED"`. */
export const errnoByName: ReadonlyMap<string, number> = new Map([
  ["EPERM", EPERM],
  ["ENOENT", ENOENT],
  ["EINTR", EINTR],
  ["EIO", EIO],
  ["EBADF", EBADF],
  ["EAGAIN", EAGAIN],
  ["ENOMEM", ENOMEM],
  ["EACCES", EACCES],
  ["EFAULT", EFAULT],
  ["EBUSY", EBUSY],
  ["EEXIST", EEXIST],
  ["ENODEV", ENODEV],
  ["ENOTDIR", ENOTDIR],
  ["EISDIR", EISDIR],
  ["EINVAL", EINVAL],
  ["ENFILE", ENFILE],
  ["EMFILE", EMFILE],
  ["ENOSPC", ENOSPC],
  ["EPIPE", EPIPE],
  ["ERANGE", ERANGE],
  ["ENAMETOOLONG", ENAMETOOLONG],
  ["ENOSYS", ENOSYS],
  ["ENOTSOCK", ENOTSOCK],
  ["EDESTADDRREQ", EDESTADDRREQ],
  ["EMSGSIZE", EMSGSIZE],
  ["EPROTOTYPE", EPROTOTYPE],
  ["ENOPROTOOPT", ENOPROTOOPT],
  ["EPROTONOSUPPORT", EPROTONOSUPPORT],
  ["ESOCKTNOSUPPORT", ESOCKTNOSUPPORT],
  ["EOPNOTSUPP", EOPNOTSUPP],
  ["EPFNOSUPPORT", EPFNOSUPPORT],
  ["EAFNOSUPPORT", EAFNOSUPPORT],
  ["EADDRINUSE", EADDRINUSE],
  ["EADDRNOTAVAIL", EADDRNOTAVAIL],
  ["ENETDOWN", ENETDOWN],
  ["ENETUNREACH", ENETUNREACH],
  ["ENETRESET", ENETRESET],
  ["ECONNABORTED", ECONNABORTED],
  ["ECONNRESET", ECONNRESET],
  ["ENOBUFS", ENOBUFS],
  ["EISCONN", EISCONN],
  ["ENOTCONN", ENOTCONN],
  ["ESHUTDOWN", ESHUTDOWN],
  ["ETIMEDOUT", ETIMEDOUT],
  ["ECONNREFUSED", ECONNREFUSED],
  ["EHOSTDOWN", EHOSTDOWN],
  ["EHOSTUNREACH", EHOSTUNREACH],
  ["EALREADY", EALREADY],
  ["EINPROGRESS", EINPROGRESS],
  ["EWOULDBLOCK", EWOULDBLOCK],
]);
