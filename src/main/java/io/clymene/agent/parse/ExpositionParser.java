package io.clymene.agent.parse;

/** A parser of one exposition format; implementations are reusable and not thread-safe. */
public interface ExpositionParser {

  /**
   * Parses a whole body, passing each sample to the sink.
   *
   * @return the number of samples passed to the sink
   * @throws ParseException at the first invalid line, naming it; the body is then invalid as a whole
   */
  int parse(byte[] buf, int off, int len, SampleSink sink) throws ParseException;
}
