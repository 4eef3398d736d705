// Grader objects that several test suites build: a multi grader over one string_check sub-grader `a`, for
// the tests about its calculate_output formula (emulator refusals, lint rules).
export function multiOverA(
  calculate_output: string,
  { name = 'm', operation = 'eq' }: { name?: string; operation?: string } = {},
) {
  return {
    type: 'multi',
    name,
    graders: {
      a: {
        type: 'string_check',
        name: 'a',
        input: '{{sample.output_text}}',
        reference: 'x',
        operation,
      },
    },
    calculate_output,
  };
}
