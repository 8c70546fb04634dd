// gaierror and herror with glibc's messages, and the PermissionError of a missing Deno
// permission: every step of name resolution (files, DNS, getaddrinfo) raises these.
import { fromDenoError, gaierror, herror, PermissionError } from "../_core/errors.ts";

const GAI_MESSAGES: ReadonlyMap<number, string> = new Map([
  [-1, "Bad value for ai_flags"],
  [-2, "Name or service not known"],
  [-3, "Temporary failure in name resolution"],
  [-4, "Non-recoverable failure in name resolution"],
  [-5, "No address associated with hostname"],
  [-6, "ai_family not supported"],
  [-7, "ai_socktype not supported"],
  [-8, "Servname not supported for ai_socktype"],
  [-9, "Address family for hostname not supported"],
  [-10, "Memory allocation failure"],
  [-11, "System error"],
  [-12, "Argument buffer overflow"],
]);

export function gai(code: number, cause?: unknown): gaierror {
  return new gaierror(code, GAI_MESSAGES.get(code) ?? "Unknown error", { cause });
}

export const HOST_NOT_FOUND = 1;
export const TRY_AGAIN = 2;
export const NO_RECOVERY = 3;
const H_MESSAGES = [
  "Resolver Error 0 (no error)",
  "Unknown host",
  "Host name lookup failure",
  "Unknown server error",
  "No address associated with name",
];

export function herr(code: number, cause?: unknown): herror {
  return new herror(code, H_MESSAGES[code] ?? "Unknown resolver error", { cause });
}

/** A DNS query that could not be answered now (timeout, unreachable server). */
export class TemporaryFailure extends Error {}

export function missingPermission(kind: string, target: string): PermissionError {
  return fromDenoError(
    new Deno.errors.NotCapable(
      `Requires ${kind} access to "${target}", run again with the --allow-${kind} flag`,
    ),
  ) as PermissionError;
}

/** Whether `e` is the PermissionError of a missing Deno permission (not an OS refusal). */
export function isMissingPermission(e: unknown): boolean {
  return e instanceof PermissionError && e.cause instanceof Deno.errors.NotCapable;
}
