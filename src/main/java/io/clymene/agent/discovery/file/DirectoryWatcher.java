package io.clymene.agent.discovery.file;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells listeners when something in a directory changes (a file created, written, renamed or deleted).
 * One daemon thread waits on the platform's watch service (inotify on Linux) for every file discoverer
 * of the process; listeners must return quickly.
 */
final class DirectoryWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);
  private static DirectoryWatcher instance;

  private final WatchService service;
  private final Map<Path, Registration> byDir = new HashMap<>();
  private final Map<WatchKey, Registration> byKey = new HashMap<>();

  private static final class Registration {
    final WatchKey key;
    final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    Registration(WatchKey key) {
      this.key = key;
    }
  }

  private DirectoryWatcher() throws IOException {
    this.service = FileSystems.getDefault().newWatchService();
    Thread t = new Thread(this::run, "clymene-file-sd-watch");
    t.setDaemon(true);
    t.start();
  }

  /** The process' watcher, started on first use. */
  static synchronized DirectoryWatcher get() throws IOException {
    if (instance == null) {
      instance = new DirectoryWatcher();
    }
    return instance;
  }

  /**
   * Calls {@code listener} on every change in {@code dir} until the returned handle is closed.
   *
   * @throws IOException when the directory cannot be watched (e.g. it does not exist)
   */
  synchronized AutoCloseable watch(Path dir, Runnable listener) throws IOException {
    Path d = dir.toAbsolutePath().normalize();
    Registration reg = byDir.get(d);
    if (reg == null) {
      WatchKey key = d.register(service, StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
      reg = byKey.get(key);
      if (reg == null) {
        reg = new Registration(key);
        byKey.put(key, reg);
      }
      byDir.put(d, reg);
    }
    Registration r = reg;
    r.listeners.add(listener);
    return () -> unwatch(d, r, listener);
  }

  /** Whether {@code dir} is being watched (it stops being when it is deleted). */
  synchronized boolean watching(Path dir) {
    return byDir.containsKey(dir.toAbsolutePath().normalize());
  }

  private synchronized void unwatch(Path dir, Registration reg, Runnable listener) {
    reg.listeners.remove(listener);
    if (reg.listeners.isEmpty()) {
      reg.key.cancel();
      byKey.remove(reg.key);
      byDir.remove(dir);
    }
  }

  private void run() {
    while (true) {
      WatchKey key;
      try {
        key = service.take();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      key.pollEvents();
      Registration reg;
      synchronized (this) {
        reg = byKey.get(key);
      }
      if (reg != null) {
        for (Runnable l : reg.listeners) {
          try {
            l.run();
          } catch (RuntimeException e) {
            LOG.warn("file discovery listener failed: {}", e.toString());
          }
        }
      }
      if (!key.reset()) {
        synchronized (this) {
          Registration gone = byKey.remove(key);
          if (gone != null) {
            byDir.values().removeIf(r -> r == gone);
          }
        }
      }
    }
  }
}
