// The shapes the script pages take and give: the API's own schemas (domain/contracts),
// never mirrored by hand.
export type {
  CreateScriptInput,
  ProjectPage,
  ProjectQuote,
  ProjectView,
  RevisionComparison,
  RevisionView,
  SceneView,
  ScriptFile,
} from '../../../../domain/contracts/script.ts';
export type { ScriptStatus, RunPhase, SplitMethod } from '../../../../domain/script.ts';
