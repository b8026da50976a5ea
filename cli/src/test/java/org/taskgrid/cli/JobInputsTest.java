package org.taskgrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import org.junit.jupiter.api.Test;

class JobInputsTest {
  @Test
  void aJsonArrayListsTheInputs() throws Exception {
    assertEquals("[{\"text\":\"a\"},{\"text\":\"b\"}]", parse("[{\"text\":\"a\"},\n {\"text\":\"b\"}]"));
  }

  @Test
  void jsonLinesGiveOneInputPerLine() throws Exception {
    assertEquals("[{\"text\":\"a\"},[1,2],\"c\"]", parse("{\"text\":\"a\"}\n[1,2]\n\n\"c\"\n"));
  }

  @Test
  void notJsonNothingOrOneLoneInputIsAUsageProblemThatSaysWhy() {
    UsageProblem broken = assertThrows(UsageProblem.class, () -> parse("{\"text\":\"a\"}\n{\"text\":"));
    assertTrue(broken.getMessage().contains("in.json is not JSON") && broken.getMessage().contains("line 2"), broken::getMessage);
    assertTrue(assertThrows(UsageProblem.class, () -> parse("  \n")).getMessage().contains("holds no input"));
    assertTrue(assertThrows(UsageProblem.class, () -> parse("{\"text\":\"a\"}")).getMessage().contains("not a list"));
  }

  @Test
  void aMissingFileIsNamed() {
    UsageProblem missing = assertThrows(UsageProblem.class, () -> JobInputs.read("/no/such/inputs.json", System.in));
    assertEquals("--inputs: no such file: /no/such/inputs.json", missing.getMessage());
  }

  private static String parse(String text) throws Exception {
    return Json.write(JobInputs.parse(new StringReader(text), "in.json"));
  }
}
