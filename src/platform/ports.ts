// Every dependency a service has is a required constructor argument (its
// "ports"). TypeScript checks that at compile time; this checks it at start-up,
// so a wiring slip (an undefined slipping through a cast, a plain-JS caller)
// stops the process with the port's name instead of running without the check.

export class MissingPort extends Error {
  constructor(service: string, port: string) {
    super(`${service}: the required port "${port}" was not given (see src/app/wire.ts)`);
  }
}

/** Returns `deps` after checking that each named port is there. */
export function requirePorts<T extends object>(service: string, deps: T, ports: readonly (keyof T & string)[]): T {
  if (deps === null || typeof deps !== 'object') throw new MissingPort(service, ports.join(', '));
  for (const p of ports) if (deps[p] === undefined || deps[p] === null) throw new MissingPort(service, p);
  return deps;
}
