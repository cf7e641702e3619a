/**
 * Building the namespaces of the topology: the two nodes with a routed link between them
 * (the flat pod network Submariner would provide), and "pods" behind a node. Addressing is
 * the routed style of Calico and kube-router: a pod has its IP as a /32 and a default route
 * to its node; the node has a /32 route per pod and a route per remote pod CIDR; no bridge.
 */
import { addAddress, addNetns, addRoute, addVeth, deleteNetns, sysctl } from './netns.ts';
import { DATAPLANE_MEMBERS, type DataPlaneMember, type DataPlaneTopology, podVeth } from './topology.ts';

/** Creates both node namespaces, links them, and routes each one's pod CIDR to the other. */
export async function addNodes(topology: DataPlaneTopology): Promise<void> {
  for (const member of DATAPLANE_MEMBERS) {
    const node = topology.nodes[member];
    await addNetns(node.netns);
    // On lo, the node's address answers on every interface: pods and the peer node reach it
    // through their own veth (the kernel answers ARP for any local address by default).
    await addAddress(node.netns, 'lo', `${node.ip}/32`);
    await sysctl(node.netns, 'net.ipv4.ip_forward', '1');
  }
  const { member1: m1, member2: m2 } = topology.nodes;
  await addVeth({ netns: m1.netns, device: m1.linkDevice }, { netns: m2.netns, device: m2.linkDevice });
  await addRoute(m1.netns, [m2.podCIDR, 'via', m2.ip, 'dev', m1.linkDevice, 'onlink']);
  await addRoute(m2.netns, [m1.podCIDR, 'via', m1.ip, 'dev', m2.linkDevice, 'onlink']);
}

/**
 * Creates a pod namespace `netns` with address `ip` behind `member`'s node. On failure the
 * half-built namespace is removed again (its veth goes with it).
 */
export async function addPod(
  topology: DataPlaneTopology,
  member: DataPlaneMember,
  ip: string,
  netns: string,
): Promise<void> {
  const node = topology.nodes[member];
  await addNetns(netns);
  try {
    await addVeth({ netns: node.netns, device: podVeth(ip) }, { netns, device: 'eth0' });
    await addAddress(netns, 'eth0', `${ip}/32`);
    await addRoute(netns, [node.ip, 'dev', 'eth0', 'scope', 'link']);
    await addRoute(netns, ['default', 'via', node.ip, 'dev', 'eth0']);
    await addRoute(node.netns, [`${ip}/32`, 'dev', podVeth(ip)]);
  } catch (err) {
    await deleteNetns(netns).catch(() => undefined);
    throw new Error(
      `failed to build pod namespace ${netns} (${ip}) behind ${node.netns}: ${(err as Error).message}`,
    );
  }
}
