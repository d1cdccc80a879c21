if (args.Length > 0 && args[0] == "evtx") return Exhunt.Bench.EvtxBench.Run(args[1..]);
Console.WriteLine("bench: evtx read|assemble ...");
return 0;
