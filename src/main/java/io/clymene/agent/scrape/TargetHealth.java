package io.clymene.agent.scrape;

/** A target's state after its last scrape, as Prometheus reports it. */
public enum TargetHealth {
  UNKNOWN("unknown"), UP("up"), DOWN("down");

  private final String text;

  TargetHealth(String text) {
    this.text = text;
  }

  @Override
  public String toString() {
    return text;
  }
}
