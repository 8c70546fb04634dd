// Linux values of CPython's select constants. The POLL* events the readiness core reports are
// defined once, in _core/readiness.ts, and re-exported here.
export {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  POLLRDHUP,
} from "../_core/readiness.ts";
/** `select.POLLRDNORM` (Linux value 0x40). */
export const POLLRDNORM = 0x40;
/** `select.POLLRDBAND` (Linux value 0x80). */
export const POLLRDBAND = 0x80;
/** `select.POLLWRNORM` (Linux value 0x100). */
export const POLLWRNORM = 0x100;
/** `select.POLLWRBAND` (Linux value 0x200). */
export const POLLWRBAND = 0x200;
/** `select.POLLMSG` (Linux value 0x400). */
export const POLLMSG = 0x400;
/** `select.EPOLLIN` (Linux value 0x1). */
export const EPOLLIN = 0x1;
/** `select.EPOLLPRI` (Linux value 0x2). */
export const EPOLLPRI = 0x2;
/** `select.EPOLLOUT` (Linux value 0x4). */
export const EPOLLOUT = 0x4;
/** `select.EPOLLERR` (Linux value 0x8). */
export const EPOLLERR = 0x8;
/** `select.EPOLLHUP` (Linux value 0x10). */
export const EPOLLHUP = 0x10;
/** `select.EPOLLRDNORM` (Linux value 0x40). */
export const EPOLLRDNORM = 0x40;
/** `select.EPOLLRDBAND` (Linux value 0x80). */
export const EPOLLRDBAND = 0x80;
/** `select.EPOLLWRNORM` (Linux value 0x100). */
export const EPOLLWRNORM = 0x100;
/** `select.EPOLLWRBAND` (Linux value 0x200). */
export const EPOLLWRBAND = 0x200;
/** `select.EPOLLMSG` (Linux value 0x400). */
export const EPOLLMSG = 0x400;
/** `select.EPOLLRDHUP` (Linux value 0x2000). */
export const EPOLLRDHUP = 0x2000;
/** `select.EPOLLEXCLUSIVE` (Linux value 0x10000000). */
export const EPOLLEXCLUSIVE = 0x10000000;
/** `select.EPOLLONESHOT` (Linux value 0x40000000). */
export const EPOLLONESHOT = 0x40000000;
/** `select.EPOLLET` (Linux value 0x80000000). */
export const EPOLLET = 0x80000000;
/** `select.EPOLL_CLOEXEC` (Linux value 0x80000). */
export const EPOLL_CLOEXEC = 0x80000;
/** `select.PIPE_BUF` (Linux value 0x1000). */
export const PIPE_BUF = 0x1000;
