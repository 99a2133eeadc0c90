/**
 * A group member's tie to the WebSocket notifications (docs/push.md): the
 * wait between polls (GroupWake: a notification on an owned partition, the
 * socket's state, an interrupt, or the heartbeat's time) plus the link of the
 * member to the connection, so the connection's end makes the member leave
 * at once. The link is sent once per incarnation (after each join with a new
 * member epoch) and removed before the member leaves; the notifications
 * client keeps it across reconnects and rotations (client/notifications.ts).
 * While linked the member asks for the connected session timeout and polls
 * without waiting (client/group-member.ts).
 */
import { GroupWake } from './group-wake';
import type { GroupConsumerOptions } from './group-options';
import type { Notifications } from './notifications';

export class MemberLink extends GroupWake {
  /** The current incarnation was linked (sent); a re-join links again. */
  private sent = false;

  constructor(
    notifications: Notifications,
    private readonly groupId: string,
    private readonly memberId: string,
    private readonly options: Pick<GroupConsumerOptions, 'stopAtEnd' | 'connectedSessionTimeoutMs'>,
  ) {
    super(notifications);
  }

  /** Linked to an open notification socket as a joined member (never for stopAtEnd, which long-polls to find the end). */
  linked(memberEpoch: number): boolean {
    if (this.options.stopAtEnd === true || memberEpoch <= 0) return false;
    return this.notifications.linked(this.groupId, this.memberId);
  }

  /** After an answer: a joined incarnation not linked yet links now. */
  joined(memberEpoch: number): void {
    if (memberEpoch > 0 && !this.sent) {
      this.sent = true;
      void this.notifications.link(this.groupId, this.memberId, memberEpoch);
    }
  }

  /** Fenced: the next incarnation links again. */
  fenced(): void {
    this.sent = false;
  }

  /** Leaving: unlinked first (this connection's end must not judge the member once it left), then no more watches. */
  leave(): void {
    this.notifications.unlink(this.groupId, this.memberId);
    this.close();
  }

  /** The session timeout asked for while linked; a poll every third of it when quiet. */
  connectedSessionMs(): number {
    return this.options.connectedSessionTimeoutMs ?? 360_000;
  }
}
