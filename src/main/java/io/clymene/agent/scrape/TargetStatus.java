package io.clymene.agent.scrape;

/**
 * A target and the outcome of its last scrape.
 *
 * @param target the target
 * @param health up, down or unknown (not scraped yet)
 * @param lastError the last failure's reason, or empty
 * @param lastScrapeMillis when the last scrape started
 * @param lastDurationSeconds how long it took
 */
public record TargetStatus(ScrapeTarget target, TargetHealth health, String lastError, long lastScrapeMillis,
                           double lastDurationSeconds) {
}
