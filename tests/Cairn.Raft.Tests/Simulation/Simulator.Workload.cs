using Cairn.Raft.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>The simulator's fault schedule, client workload and recovery phase.</summary>
internal sealed partial class Simulator
{
    private void Faults()
    {
        if (_rng.Chance(_o.CrashRate) && Pick(n => n.Up) is { } victim)
        {
            Log($"n{victim.Id} crashes");
            _crashes++;
            Crash(victim, torn: false);
        }

        if (_rng.Chance(_o.RestartRate) && Pick(n => !n.Up && !n.Removed) is { } down)
        {
            _restarts++;
            Start(down);
        }

        if (_rng.Chance(_o.PartitionRate))
        {
            if (_net.Partitioned)
            {
                _net.Heal();
                Log("partition heals");
            }
            else
            {
                _partitions++;
                Log($"partition {_net.Partition(_o.Nodes)}");
            }

            _hash.Add("partition");
        }
    }

    private void Workload()
    {
        double proposals = _o.ProposalRate;
        while (proposals > 0)
        {
            if (_rng.Chance(Math.Min(proposals, 1.0)) && Pick(n => n.Up) is { } n)
            {
                // Payload sizes vary so that MaxSizePerMsg and the byte limits split batches.
                string data = $"p{++_seq}:" + new string('x', _rng.Next(0, 80));
                _proposals++;
                var err = n.Node!.Propose(ByteString.CopyFromUtf8(data));
                Log($"propose p{_seq} at n{n.Id}: {err}");
                Observe(n);
            }

            proposals -= 1.0;
        }

        if (_rng.Chance(_o.ReadRate) && Pick(n => n.Up) is { } reader)
        {
            string ctx = $"r{++_seq}";
            _checker.OnReadIssued(ctx);
            reader.Node!.ReadIndex(ByteString.CopyFromUtf8(ctx));
            Log($"read {ctx} at n{reader.Id}");
            Observe(reader);
        }

        if (_rng.Chance(_o.ConfChangeRate))
        {
            ProposeConfChange();
        }

        if (_rng.Chance(_o.TransferRate) && Leader() is { } leader)
        {
            ulong[] voters = [.. leader.Raft.Trk.Config.Voters.Ids().Slice().Where(id => id != leader.Id)];
            if (voters.Length > 0)
            {
                ulong target = voters[_rng.Next(voters.Length)];
                _transfers++;
                Log($"transfer leadership n{leader.Id} -> n{target}");
                leader.Node!.TransferLeader(target);
                Observe(leader);
            }
        }
    }

    /// <summary>
    /// Proposes a random membership change through the current leader: demote a voter to learner, promote a
    /// learner, swap a voter and a learner through a joint configuration (auto, implicit or explicit leave), leave
    /// an explicit joint configuration, or (five nodes, PreVote or CheckQuorum on, at most once) remove a node for
    /// good. The leader itself is never demoted or removed by the workload.
    /// </summary>
    private void ProposeConfChange()
    {
        if (Leader() is not { } leader)
        {
            return;
        }

        var cfg = leader.Raft.Trk.Config;
        IConfChange? cc = null;
        if (cfg.Voters.IsJoint)
        {
            if (!cfg.AutoLeave)
            {
                cc = new ConfChangeV2();
            }
        }
        else
        {
            ulong[] voters = [.. cfg.Voters.Incoming.Slice().Where(id => id != leader.Id)];
            ulong[] learners = [.. cfg.Learners];
            int minVoters = _o.Nodes == 3 ? 2 : 3;
            switch (_rng.Next(4))
            {
                case 0 when cfg.Voters.Incoming.Count > minVoters && voters.Length > 0:
                    cc = Single(ConfChangeType.ConfChangeAddLearnerNode, voters[_rng.Next(voters.Length)]);
                    break;
                case 1 when learners.Length > 0:
                    cc = Single(ConfChangeType.ConfChangeAddNode, learners[_rng.Next(learners.Length)]);
                    break;
                case 2 when learners.Length > 0 && voters.Length > 0:
                    var v2 = new ConfChangeV2
                    {
                        Transition = _rng.Pick([ConfChangeTransition.Auto, ConfChangeTransition.JointImplicit, ConfChangeTransition.JointExplicit]),
                    };
                    v2.Changes.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddLearnerNode, NodeId = voters[_rng.Next(voters.Length)] });
                    v2.Changes.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddNode, NodeId = learners[_rng.Next(learners.Length)] });
                    cc = v2;
                    break;
                case 3 when _o.Nodes == 5 && !_removalProposed && (_o.PreVote || _o.CheckQuorum)
                    && cfg.Voters.Incoming.Count > minVoters && voters.Length > 0:
                    _removalProposed = true;
                    cc = Single(ConfChangeType.ConfChangeRemoveNode, voters[_rng.Next(voters.Length)]);
                    break;
            }
        }

        if (cc is null)
        {
            return;
        }

        var err = leader.Node!.ProposeConfChange(cc);
        Log($"propose conf change {Util.DescribeConfChangeV2(cc.AsV2())} at n{leader.Id}: {err}");
        Observe(leader);
    }

    private static Raftpb.ConfChange Single(ConfChangeType type, ulong id) => new() { Type = type, NodeId = id };

    /// <summary>Ends the chaos: every crashed member restarts, the network heals and stops losing messages.</summary>
    private void Heal()
    {
        _faults = false;
        _net.Heal();
        Log("heal: network whole and reliable, every member restarts");
        _hash.Add("heal");
        foreach (var n in _nodes)
        {
            if (!n.Up && !n.Removed)
            {
                _restarts++;
                Start(n);
            }
        }
    }

    // During recovery: a new proposal every election timeout (earlier ones may be dropped while no leader is
    // known), and an explicit joint configuration is left so that membership settles.
    private void ProposeLiveness()
    {
        var target = Leader() ?? Pick(n => n.Up);
        if (target is null)
        {
            return;
        }

        string data = $"live{++_seq}";
        _liveApplied[data] = [];
        var err = target.Node!.Propose(ByteString.CopyFromUtf8(data));
        Log($"propose {data} at n{target.Id}: {err}");
        Observe(target);
        if (Leader() is { } leader && leader.Raft.Trk.Config is { Voters.IsJoint: true, AutoLeave: false })
        {
            leader.Node!.ProposeConfChange(new ConfChangeV2());
            Observe(leader);
        }
    }

    // Live: a leader exists, and some recovery proposal was applied on every member of its configuration.
    private bool Live()
    {
        if (Leader() is not { } leader)
        {
            return false;
        }

        ulong[] members = [.. leader.Raft.Trk.Progress.Ids];
        return _liveApplied.Values.Any(appliedBy => members.All(appliedBy.Contains));
    }

    /// <summary>The running leader with the highest term, if any.</summary>
    private SimNode? Leader()
    {
        SimNode? best = null;
        foreach (var n in _nodes)
        {
            if (n.Up && n.Raft.State == StateType.Leader && (best is null || n.Raft.Term > best.Raft.Term))
            {
                best = n;
            }
        }

        return best;
    }

    private SimNode? Pick(Func<SimNode, bool> filter)
    {
        var candidates = _nodes.Where(filter).ToList();
        return candidates.Count == 0 ? null : candidates[_rng.Next(candidates.Count)];
    }
}
