package io.clymene.agent.discovery;

/**
 * One service discovery entry of a job.
 *
 * @param name where it is in the job, e.g. {@code file_sd_configs[0]}
 * @param config its configuration
 */
public record SdEntry(String name, SdConfig config) {
}
