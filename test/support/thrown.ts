/** The error a call throws, when it is of the class asked for; any other outcome fails the test. */
export function thrown<E extends Error>(f: () => unknown, type: new (...args: never[]) => E): E {
  try {
    f();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}
