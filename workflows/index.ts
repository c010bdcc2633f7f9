// Every workflow the worker runs. Workflow code imports only domain/ and other workflow code.
export { diagnosticWorkflow } from './diagnostic.ts';
