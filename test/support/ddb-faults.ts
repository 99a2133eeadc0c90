/** The fault-injection middleware lives with the checker (checker/faults/); tests import it from here. */
export * from '../../checker/faults/ddb-middleware';
