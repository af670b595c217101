using BenchmarkDotNet.Running;

namespace Cairn.Raft.Benchmarks;

/// <summary>
/// Entry point. Run every benchmark with
/// <c>dotnet run -c Release --project bench/Cairn.Raft.Benchmarks -- --filter '*'</c>, or a quick smoke run with
/// <c>--filter '*' --job dry</c>.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
