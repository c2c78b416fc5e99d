/**
 * The resource leaders write to, in its fenced form: like `fencedUpdate`
 * (docs/protocol.md#what-fencing-adds-and-what-it-does-not), it accepts a write only when the writer's token is at least
 * the highest it has seen (`attribute_not_exists(fence) OR fence <= :token`)
 * and then raises the fence. A write without a token cannot be checked and is
 * accepted: that is the position Bully and Ring leave a resource in.
 *
 * The unfenced twin accepts everything, so it needs no state at all; the lab
 * counts which writes it would have taken.
 */
export class FencedResource {
  private fenceValue: number | undefined;

  get fence(): number | undefined {
    return this.fenceValue;
  }

  /** Applies one write; returns whether it was accepted. */
  write(token: number | undefined): boolean {
    if (token === undefined) return true;
    if (this.fenceValue !== undefined && token < this.fenceValue) return false;
    this.fenceValue = token;
    return true;
  }
}
