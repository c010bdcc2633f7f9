// The support API's shapes, from its contract (domain/contracts/support.ts).
export type {
  QueueList,
  ReplyResult,
  StaffTicketView,
  TicketList,
  TicketMessage,
  TicketSummary,
  TicketView,
} from '../../../../domain/contracts/support.ts';
