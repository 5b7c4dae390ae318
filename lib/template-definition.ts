/**
 * Turns the state machine's `DefinitionString` (a `Fn::Join` of strings and Lambda ARN tokens in
 * the synthesized template) into plain ASL JSON that the local runner executes. Lambda ARNs
 * become fixed placeholder ARNs named after their logical ids; the runner maps task states by
 * name, so these never get called.
 */
type Json = unknown;

function renderPart(part: Json): string {
  if (typeof part === 'string') return part;
  const obj = part as Record<string, unknown>;
  if (obj.Ref === 'AWS::Partition') return 'aws';
  if (obj.Ref === 'AWS::Region') return 'us-east-1';
  if (obj.Ref === 'AWS::AccountId') return '123456789012';
  if (obj.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  const getAtt = obj['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt && getAtt[1] === 'Arn') return `arn:aws:lambda:us-east-1:123456789012:function:${getAtt[0]}`;
  if (typeof obj.Ref === 'string') return obj.Ref;
  throw new Error(`unexpected token in state machine definition: ${JSON.stringify(part)}`);
}

/**
 * `machine`: a part of the state machine's logical id (the guard's `Workflow`, the watch's
 * `FullRescan`); exactly one state machine must match.
 */
export function definitionFromTemplate(template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> }, machine = 'Workflow'): Record<string, unknown> {
  const machines = Object.entries(template.Resources ?? {})
    .filter(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.includes(machine))
    .map(([, r]) => r);
  if (machines.length !== 1) throw new Error(`expected one ${machine} state machine, found ${machines.length}`);
  const def = machines[0]?.Properties?.DefinitionString as Json;
  let text: string;
  if (typeof def === 'string') text = def;
  else {
    const join = (def as { 'Fn::Join'?: [string, Json[]] })['Fn::Join'];
    if (!join) throw new Error('DefinitionString is neither a string nor Fn::Join');
    text = join[1].map(renderPart).join(join[0]);
  }
  return JSON.parse(text) as Record<string, unknown>;
}
