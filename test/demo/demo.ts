/**
 * `make demo`: the sandbox running the seed's example. For now it shows the sandbox
 * (started by the make target) and how to use it.
 */
import { Sandbox } from '../sandbox/sandbox.ts';

const sb = await Sandbox.attach();
process.stdout.write(
  `\nmcs-bridge demo: the sandbox is up.\n` +
    `  export KUBECONFIG=${sb.layout.kubeconfig}\n` +
    `  export PATH=${sb.binDir}:$PATH\n` +
    '  kubectl --context member1 get nodes\n' +
    'Stop it with: make sandbox-down\n',
);
