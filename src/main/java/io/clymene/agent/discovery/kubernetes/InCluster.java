package io.clymene.agent.discovery.kubernetes;

import java.nio.file.Path;

/**
 * Where in-cluster access finds the API server and the pod's service account, as client-go's
 * InClusterConfig: {@code KUBERNETES_SERVICE_HOST}/{@code _PORT} and the token, CA certificate and namespace
 * files of the mounted service account.
 *
 * @param host {@code KUBERNETES_SERVICE_HOST}, or null
 * @param port {@code KUBERNETES_SERVICE_PORT}, or null
 * @param serviceAccountDir the directory holding {@code token}, {@code ca.crt} and {@code namespace}
 */
record InCluster(String host, String port, Path serviceAccountDir) {
  static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  static InCluster fromEnvironment() {
    return new InCluster(System.getenv("KUBERNETES_SERVICE_HOST"), System.getenv("KUBERNETES_SERVICE_PORT"),
        SERVICE_ACCOUNT_DIR);
  }
}
