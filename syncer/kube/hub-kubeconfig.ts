/**
 * The hub's KubeConfig from `--kubeconfig` and `--context`, as the syncer and `kubectl mcs`
 * both take them, with connections reused (lib/kube-connections.ts).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { reuseConnections } from '../../lib/kube-connections.ts';
import { kubeconfigErrorMessage } from '../../lib/log-redaction.ts';

/** Loads the hub kubeconfig (default: $KUBECONFIG, ~/.kube/config or in-cluster); throws naming what is wrong. */
export function loadHubKubeConfig(o: { kubeconfig?: string; context?: string }): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    // Only the first line: the YAML parser quotes the lines around a fault, token and all.
    throw new Error(
      `cannot load the hub kubeconfig ${o.kubeconfig ?? '(default)'}: ${kubeconfigErrorMessage(err)}`,
    );
  }
  if (o.context) {
    if (!kc.getContextObject(o.context))
      throw new Error(`--context: the hub kubeconfig has no context '${o.context}'`);
    kc.setCurrentContext(o.context);
  }
  if (!kc.getCurrentCluster())
    throw new Error('the hub kubeconfig has no current cluster: give --kubeconfig and --context');
  return reuseConnections(kc);
}
