// The errno table of _core/errno.ts is the one source of errno values: its maps name every value,
// and asyncore's errorcode() (which derives from it) gives Python's `errno.errorcode` names.
import { assertEquals } from "@std/assert";
import * as errno from "../_core/errno.ts";
import { errorcode } from "../asyncore/_errno.ts";

const named: [string, number][] = [];
for (const [name, value] of Object.entries(errno)) {
  if (/^E[A-Z]+$/.test(name) && typeof value === "number") named.push([name, value]);
}

Deno.test("every errno constant has a strerror text and a name that maps back to it", () => {
  for (const [name, value] of named) {
    assertEquals(errno.errnoByName.get(name), value, name);
    assertEquals(typeof errno.errorMessages.get(value), "string", name);
  }
  assertEquals(errno.errnoByName.size, named.length);
});

Deno.test("asyncore's errorcode() gives Python's errno.errorcode names", () => {
  assertEquals(errorcode(errno.ECONNREFUSED), "ECONNREFUSED");
  assertEquals(errorcode(errno.EINPROGRESS), "EINPROGRESS");
  // EWOULDBLOCK is EAGAIN on Linux, and Python's errorcode names it EAGAIN.
  assertEquals(errorcode(errno.EWOULDBLOCK), "EAGAIN");
  assertEquals(errorcode(999), "Unknown error 999");
});
